import path from 'node:path';
import ts from 'typescript';

/*
 * Promises nobody waits for, found with the type checker (issue 14, decision 185). Once data access is awaited
 * (decision 180), a call written without `await` still compiles when its value is unused: the write then runs
 * after the transaction around it has committed, or its error goes nowhere. Two shapes are reported:
 *   - a floating promise: an expression statement whose value is a thenable, neither awaited, returned nor
 *     marked `void` (the one way to say "this runs on its own, and handles its own errors");
 *   - a promise written into a template string, which prints "[object Promise]" (an API call made async whose
 *     callers only interpolate its value compile unchanged);
 *   - a promise where nothing waits: an async function (or one returning a thenable) passed where the callee's
 *     parameter expects a function returning void (forEach, event handlers, better-sqlite3's transaction).
 * Drizzle's query builders are thenables, so a query built and never awaited is a floating promise too.
 */

const isAssignment = (kind: ts.SyntaxKind) =>
  kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;

export interface PromiseFinding {
  file: string;
  line: number;
  kind: 'floating' | 'misused' | 'interpolated';
  text: string;
}

/** The program of the repository's tsconfig.json. */
export function repoProgram(repo: string): ts.Program {
  const configFile = path.join(repo, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, repo);
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
}

/** Floating and misused promises in the program's files whose repository path passes `include`. */
export function promiseFindings(repo: string, include: (file: string) => boolean): PromiseFinding[] {
  const program = repoProgram(repo);
  const checker = program.getTypeChecker();
  const findings: PromiseFinding[] = [];

  const isThenable = (type: ts.Type): boolean => {
    if (type.isUnion()) return type.types.some(isThenable);
    const then = type.getProperty('then');
    if (!then) return false;
    const thenType = checker.getTypeOfSymbol(then);
    return thenType.getCallSignatures().length > 0;
  };
  const isPromiseOnly = (type: ts.Type): boolean => (type.isUnion() ? type.types.every(isThenable) : isThenable(type));
  const returnsThenable = (type: ts.Type): boolean =>
    type.getCallSignatures().some((s) => isThenable(checker.getReturnTypeOfSignature(s)));
  const returnsVoidOnly = (type: ts.Type): boolean => {
    const signatures = type.getNonNullableType().getCallSignatures();
    return (
      signatures.length > 0 &&
      signatures.every((s) => (checker.getReturnTypeOfSignature(s).flags & ts.TypeFlags.Void) !== 0)
    );
  };

  /** Awaited, marked `void`, kept (an assignment), or given a rejection handler (`.catch(f)`, `.then(f, g)`). */
  const handled = (expression: ts.Expression): boolean => {
    if (ts.isVoidExpression(expression) || ts.isAwaitExpression(expression)) return true;
    if (ts.isBinaryExpression(expression) && isAssignment(expression.operatorToken.kind)) return true;
    if (ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression)) {
      const method = expression.expression.name.text;
      return (
        (method === 'catch' && expression.arguments.length >= 1) ||
        (method === 'then' && expression.arguments.length >= 2)
      );
    }
    return false;
  };

  for (const source of program.getSourceFiles()) {
    const file = path.relative(repo, source.fileName).split(path.sep).join('/');
    if (file.startsWith('..') || file.includes('node_modules') || !include(file)) continue;
    const report = (node: ts.Node, kind: PromiseFinding['kind']) => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      findings.push({ file, line: line + 1, kind, text: node.getText(source).split('\n')[0]!.slice(0, 120) });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isExpressionStatement(node)) {
        const expression = node.expression;
        if (!handled(expression) && isThenable(checker.getTypeAtLocation(expression))) report(node, 'floating');
      }
      // A promise written into a string (`Bearer ${token}` where token is still a promise): "[object Promise]".
      // Only a certain promise: JSX elements are typed `HtmlEscapedString | Promise<…>` and print fine.
      if (ts.isTemplateSpan(node) && isPromiseOnly(checker.getTypeAtLocation(node.expression)))
        report(node.expression, 'interpolated');
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const signature = checker.getResolvedSignature(node);
        node.arguments?.forEach((argument, i) => {
          if (!signature || !(ts.isArrowFunction(argument) || ts.isFunctionExpression(argument))) return;
          const parameter = signature.getParameters()[Math.min(i, signature.getParameters().length - 1)];
          if (!parameter) return;
          const expected = checker.getTypeOfSymbolAtLocation(parameter, node);
          if (returnsVoidOnly(expected) && returnsThenable(checker.getTypeAtLocation(argument)))
            report(argument, 'misused');
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return findings;
}
