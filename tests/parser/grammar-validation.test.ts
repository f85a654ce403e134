/**
 * Chevrotain's own checks of the grammar (ambiguous alternatives, left recursion, unreachable
 * rules) and of the token definitions. The parser and lexer that every command uses skip them
 * to start faster, so they run here: a faulty grammar or token fails this file.
 */
import { describe, expect, it } from 'vitest';
import { validateLexer } from '../../src/parser/lexer.js';
import { SegParser } from '../../src/parser/parser.js';

describe('grammar and token validations', () => {
  it('the parser passes the grammar validations', () => {
    // Chevrotain throws "Parser Definition Errors detected" with the list when a check fails.
    expect(() => new SegParser({ validate: true })).not.toThrow();
  });

  it('the lexer passes the token validations', () => {
    expect(() => validateLexer()).not.toThrow();
  });
});
