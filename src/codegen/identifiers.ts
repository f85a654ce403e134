/**
 * Names in generated code. Every name from a `.seg` file (bindings, node paths, inputs,
 * outputs) becomes a valid, unique TypeScript identifier: characters TypeScript does not
 * accept in identifiers split words, reserved words and names the module itself uses are
 * avoided, and a leading digit gets an underscore. Validity is judged by TypeScript's own
 * scanner, so what passes here is what `tsc` accepts.
 */
import { ts } from 'ts-morph';
import { quote } from './text.js';

const TARGET = ts.ScriptTarget.ES2022;

/** Words that cannot name a variable in a strict-mode module, and globals too easy to shadow by mistake. */
const RESERVED = new Set([
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'new',
  'null',
  'return',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'implements',
  'interface',
  'let',
  'package',
  'private',
  'protected',
  'public',
  'static',
  'yield',
  'await',
  'arguments',
  'eval',
  'undefined',
  'NaN',
  'Infinity',
  'globalThis',
  'Math',
  'Error',
  'Object',
  'Array',
  'Map',
  'Promise',
  'Number',
  'String',
  'JSON',
  'console',
  'tf',
]);

function codePoints(text: string): string[] {
  return Array.from(text);
}

function isStart(character: string): boolean {
  return ts.isIdentifierStart(character.codePointAt(0)!, TARGET);
}

function isPart(character: string): boolean {
  return ts.isIdentifierPart(character.codePointAt(0)!, TARGET);
}

/** True when `text` can be written as a bare identifier (or property name) in TypeScript. */
export function isIdentifierText(text: string): boolean {
  const characters = codePoints(text);
  return characters.length > 0 && isStart(characters[0]!) && characters.slice(1).every(isPart);
}

/**
 * The words of a `.seg` name: `/`, `_`, `$` and every character TypeScript does not accept in
 * an identifier separate words (`mapA/conv_1` → mapA, conv, 1).
 */
function wordsOf(text: string): string[] {
  const words: string[] = [];
  let current = '';
  for (const character of codePoints(text)) {
    if (character !== '_' && character !== '$' && isPart(character)) current += character;
    else if (current) {
      words.push(current);
      current = '';
    }
  }
  if (current) words.push(current);
  return words;
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** camelCase from a `.seg` name: `encoded/aspp/branches/0/conv` → `encodedAsppBranches0Conv`. */
export function camelCase(text: string, fallback = 'tensor'): string {
  const words = wordsOf(text);
  if (words.length === 0) return fallback;
  const [first, ...rest] = words;
  const joined = first!.charAt(0).toLowerCase() + first!.slice(1) + rest.map(capitalise).join('');
  return isStart(codePoints(joined)[0]!) ? joined : `_${joined}`;
}

/** PascalCase, for type names: `DeepLabV3Plus`, `deep_lab` → `DeepLab`. */
export function pascalCase(text: string, fallback = 'Model'): string {
  const camel = camelCase(text, fallback);
  return camel.startsWith('_') ? `Model${camel}` : capitalise(camel);
}

/** Hands out unique identifiers in one scope, never a reserved word or a name already taken. */
export class Namer {
  private readonly taken: Set<string>;

  constructor(reserved: Iterable<string> = []) {
    this.taken = new Set([...RESERVED, ...reserved]);
  }

  /** `base` itself when free, else `base2`, `base3`, ... */
  claim(base: string): string {
    let name = base;
    for (let suffix = 2; this.taken.has(name); suffix++) name = `${base}${suffix}`;
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

/** A property name for an object type: bare when it is an identifier, else quoted. */
export function propertyKey(name: string): string {
  return isIdentifierText(name) ? name : quote(name);
}

/**
 * A property name for an object literal. `__proto__` written plainly (bare or quoted) would set
 * the object's prototype instead of a property, so it becomes a computed key.
 */
export function literalKey(name: string): string {
  return name === '__proto__' ? `[${quote(name)}]` : propertyKey(name);
}
