/**
 * The `.seg` grammar as a Chevrotain CST parser. Rules only recognise: the CST→AST visitor
 * (visitor.ts) gives the tree its meaning, and syntax-errors.ts words the errors. One rule per
 * production of the grammar in docs/language.md; the generated CST types are in cst-types.ts.
 */
import { CstParser, type CstNode, type IToken } from 'chevrotain';
import { errorMessageProvider } from './error-provider.js';
import {
  AdditiveOperator,
  ALL_TOKENS,
  AndAnd,
  Arrow,
  As,
  At,
  Block,
  Colon,
  Comma,
  EqualityOperator,
  Equals,
  False,
  For,
  From,
  Identifier,
  If,
  Import,
  In,
  Input,
  LBrace,
  LBracket,
  Let,
  LParen,
  Model,
  MultiplicativeOperator,
  NumberLiteral,
  OrOr,
  Output,
  Question,
  RBrace,
  RBracket,
  RelationalOperator,
  Repeat,
  Return,
  RParen,
  StringLiteral,
  True,
  UnaryOperator,
  Where,
} from './lexer.js';

export class SegParser extends CstParser {
  /**
   * `validate` runs Chevrotain's grammar checks (ambiguous alternatives, left recursion, ...),
   * which throw on a faulty grammar. They cost about a tenth of `segc check`'s start-up, so the
   * parser every command uses skips them and the grammar tests run them (tests/parser).
   */
  constructor({ validate = false }: { readonly validate?: boolean } = {}) {
    super([...ALL_TOKENS], {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: 3,
      errorMessageProvider,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  readonly program = this.RULE('program', () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.importDeclaration) }, { ALT: () => this.SUBRULE(this.declaration) }]);
    });
  });

  readonly importDeclaration = this.RULE('importDeclaration', () => {
    this.CONSUME(Import);
    this.CONSUME(LBrace);
    this.SUBRULE(this.importName);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.importName);
    });
    this.OPTION(() => this.CONSUME2(Comma));
    this.CONSUME(RBrace);
    this.CONSUME(From);
    this.CONSUME(StringLiteral, { LABEL: 'path' });
  });

  readonly importName = this.RULE('importName', () => {
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(As);
      this.CONSUME2(Identifier, { LABEL: 'alias' });
    });
  });

  readonly declaration = this.RULE('declaration', () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.OR([{ ALT: () => this.CONSUME(Block) }, { ALT: () => this.CONSUME(Model) }]);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(LParen);
    this.OPTION(() => {
      this.SUBRULE(this.parameter);
      this.MANY2(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.parameter);
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RParen);
    this.CONSUME(LBrace);
    this.MANY3(() => this.SUBRULE(this.statement));
    this.CONSUME(RBrace);
  });

  readonly parameter = this.RULE('parameter', () => {
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(Colon);
      this.SUBRULE(this.typeReference);
    });
    this.OPTION2(() => {
      this.CONSUME(Equals);
      this.SUBRULE(this.expression, { LABEL: 'default' });
    });
  });

  readonly typeReference = this.RULE('typeReference', () => {
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(LBracket);
      this.CONSUME(RBracket);
    });
  });

  readonly statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letStatement) },
      { ALT: () => this.SUBRULE(this.inputStatement) },
      { ALT: () => this.SUBRULE(this.outputStatement) },
      { ALT: () => this.SUBRULE(this.returnStatement) },
    ]);
  });

  readonly letStatement = this.RULE('letStatement', () => {
    this.CONSUME(Let);
    this.OR([
      { ALT: () => this.CONSUME(Identifier, { LABEL: 'name' }) },
      {
        ALT: () => {
          this.CONSUME(LParen);
          this.CONSUME2(Identifier, { LABEL: 'name' });
          this.MANY(() => {
            this.CONSUME(Comma);
            this.CONSUME3(Identifier, { LABEL: 'name' });
          });
          this.CONSUME(RParen);
        },
      },
    ]);
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  readonly inputStatement = this.RULE('inputStatement', () => {
    this.CONSUME(Input);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Colon);
    this.SUBRULE(this.tensorType);
    this.MANY2(() => this.SUBRULE(this.annotation));
    this.OPTION(() => {
      this.CONSUME(Where);
      this.SUBRULE(this.expression, { LABEL: 'constraint' });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.expression, { LABEL: 'constraint' });
      });
    });
  });

  readonly tensorType = this.RULE('tensorType', () => {
    this.CONSUME(Identifier, { LABEL: 'dtype' });
    this.CONSUME(LBracket);
    this.SUBRULE(this.expression, { LABEL: 'dimension' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.expression, { LABEL: 'dimension' });
    });
    this.CONSUME(RBracket);
  });

  readonly outputStatement = this.RULE('outputStatement', () => {
    this.CONSUME(Output);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  readonly returnStatement = this.RULE('returnStatement', () => {
    this.CONSUME(Return);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  readonly expression = this.RULE('expression', () => {
    this.SUBRULE(this.ternary, { LABEL: 'head' });
    this.MANY(() => {
      this.CONSUME(Arrow);
      this.SUBRULE(this.stage);
    });
  });

  readonly stage = this.RULE('stage', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.callStage) }, { ALT: () => this.SUBRULE(this.repeatStage) }]);
  });

  readonly callStage = this.RULE('callStage', () => {
    this.CONSUME(Identifier, { LABEL: 'callee' });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => this.SUBRULE(this.argumentList));
      this.CONSUME(RParen);
    });
    this.MANY(() => this.SUBRULE(this.annotation));
  });

  readonly repeatStage = this.RULE('repeatStage', () => {
    this.CONSUME(Repeat);
    this.SUBRULE(this.ternary, { LABEL: 'count' });
    this.OPTION(() => {
      this.CONSUME(As);
      this.CONSUME(Identifier, { LABEL: 'variable' });
    });
    this.CONSUME(LBrace);
    this.SUBRULE(this.stage);
    this.MANY(() => {
      this.CONSUME(Arrow);
      this.SUBRULE2(this.stage);
    });
    this.CONSUME(RBrace);
    this.MANY2(() => this.SUBRULE(this.annotation));
  });

  readonly ternary = this.RULE('ternary', () => {
    this.SUBRULE(this.logicalOr, { LABEL: 'condition' });
    this.OPTION(() => {
      this.CONSUME(Question);
      this.SUBRULE(this.expression, { LABEL: 'then' });
      this.CONSUME(Colon);
      this.SUBRULE2(this.expression, { LABEL: 'otherwise' });
    });
  });

  readonly logicalOr = this.RULE('logicalOr', () => {
    this.SUBRULE(this.logicalAnd, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(OrOr, { LABEL: 'operator' });
      this.SUBRULE2(this.logicalAnd, { LABEL: 'operand' });
    });
  });

  readonly logicalAnd = this.RULE('logicalAnd', () => {
    this.SUBRULE(this.equality, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(AndAnd, { LABEL: 'operator' });
      this.SUBRULE2(this.equality, { LABEL: 'operand' });
    });
  });

  readonly equality = this.RULE('equality', () => {
    this.SUBRULE(this.relational, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(EqualityOperator, { LABEL: 'operator' });
      this.SUBRULE2(this.relational, { LABEL: 'operand' });
    });
  });

  readonly relational = this.RULE('relational', () => {
    this.SUBRULE(this.additive, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(RelationalOperator, { LABEL: 'operator' });
      this.SUBRULE2(this.additive, { LABEL: 'operand' });
    });
  });

  readonly additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(AdditiveOperator, { LABEL: 'operator' });
      this.SUBRULE2(this.multiplicative, { LABEL: 'operand' });
    });
  });

  readonly multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(MultiplicativeOperator, { LABEL: 'operator' });
      this.SUBRULE2(this.unary, { LABEL: 'operand' });
    });
  });

  readonly unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(UnaryOperator, { LABEL: 'operator' });
          this.SUBRULE(this.unary, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]);
  });

  readonly postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.suffix));
  });

  readonly suffix = this.RULE('suffix', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.indexSuffix) }, { ALT: () => this.SUBRULE(this.annotation) }]);
  });

  readonly indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(LBracket);
    this.SUBRULE(this.expression, { LABEL: 'index' });
    this.CONSUME(RBracket);
  });

  readonly primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(NumberLiteral) },
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(True) },
      { ALT: () => this.CONSUME(False) },
      { ALT: () => this.SUBRULE(this.callOrName) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
    ]);
  });

  readonly callOrName = this.RULE('callOrName', () => {
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => this.SUBRULE(this.argumentList));
      this.CONSUME(RParen);
    });
  });

  readonly list = this.RULE('list', () => {
    this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.listItem);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.listItem);
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBracket);
  });

  readonly listItem = this.RULE('listItem', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.comprehension) }, { ALT: () => this.SUBRULE(this.expression) }]);
  });

  readonly comprehension = this.RULE('comprehension', () => {
    this.CONSUME(For);
    this.CONSUME(Identifier, { LABEL: 'variable' });
    this.CONSUME(In);
    this.SUBRULE(this.ternary, { LABEL: 'iterable' });
    this.OPTION(() => {
      this.CONSUME(If);
      this.SUBRULE2(this.ternary, { LABEL: 'condition' });
    });
    this.CONSUME(Colon);
    this.SUBRULE(this.expression, { LABEL: 'body' });
  });

  readonly parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expression, { LABEL: 'element' });
    this.OPTION(() => {
      this.AT_LEAST_ONE(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.expression, { LABEL: 'element' });
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RParen);
  });

  readonly argumentList = this.RULE('argumentList', () => {
    this.SUBRULE(this.argument);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.argument);
    });
    this.OPTION(() => this.CONSUME2(Comma));
  });

  readonly argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(Identifier, { LABEL: 'name' });
      this.CONSUME(Colon);
    });
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  readonly annotation = this.RULE('annotation', () => {
    this.CONSUME(At);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => this.SUBRULE(this.argumentList));
      this.CONSUME(RParen);
    });
  });

  /** Parses `tokens` with the rule `program`; errors are left in `this.errors`. */
  parseProgram(tokens: IToken[]): CstNode {
    this.input = tokens;
    return this.program();
  }
}

/** Built once: Chevrotain's self-analysis is the expensive part of creating a parser. */
export const segParser = new SegParser();
