/**
 * Free identifiers of a script: the names its code reads or calls that nothing in the script
 * declares (globals, endowments, and functions declared in other files). Voyager evaluates every
 * skill file in one scope, so a skill may call a helper that only another skill's file declares;
 * finding such names is how the importer carries that file along as a dependency.
 *
 * Scope analysis over acorn's ESTree: function, block, catch and class scopes; var hoisting to the
 * function; parameters and destructuring patterns with defaults; property keys, member names and
 * labels are not references. References are resolved after the whole walk, so hoisted declarations
 * count wherever they appear in their scope.
 *
 * @example
 * ```ts
 * freeIdentifiers(parseProgram('async function a(bot) { const p = findSpot(bot); await mineBlock(bot, "x", 1); }'))
 * // Set { 'findSpot', 'mineBlock' }   (bot and p are declared)
 * topLevelFunctions(parseProgram('async function a() {}\nfunction helper() {}'))   // ['a', 'helper']
 * ```
 */
import type { Node, Program } from 'acorn';

interface Scope {
  names: Set<string>;
  parent: Scope | undefined;
  /** Function (or program) scope: where `var` declarations land. */
  fn: boolean;
}

type AnyNode = Node & Record<string, unknown>;

const SKIP_KEYS = new Set(['type', 'start', 'end', 'loc', 'range']);

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** Names of the top-level function declarations of a script, in source order. */
export function topLevelFunctions(program: Program): string[] {
  return program.body.flatMap((s) => (s.type === 'FunctionDeclaration' && s.id ? [s.id.name] : []));
}

/** Identifiers the script reads, calls or assigns without declaring them (see the module comment). */
export function freeIdentifiers(program: Program): Set<string> {
  const refs: { name: string; scope: Scope }[] = [];
  const root: Scope = { names: new Set(), parent: undefined, fn: true };
  const child = (parent: Scope, fn = false): Scope => ({ names: new Set(), parent, fn });
  const fnScope = (s: Scope): Scope => (s.fn || !s.parent ? s : fnScope(s.parent));

  const declare = (pattern: unknown, target: Scope, scope: Scope): void => {
    if (!isNode(pattern)) return;
    switch (pattern.type) {
      case 'Identifier':
        target.names.add(pattern.name as string);
        return;
      case 'ObjectPattern':
        for (const p of pattern.properties as AnyNode[]) {
          if (p.type === 'RestElement') declare(p.argument, target, scope);
          else {
            if (p.computed) visit(p.key, scope);
            declare(p.value, target, scope);
          }
        }
        return;
      case 'ArrayPattern':
        for (const e of pattern.elements as unknown[]) declare(e, target, scope);
        return;
      case 'AssignmentPattern':
        declare(pattern.left, target, scope);
        visit(pattern.right, scope);
        return;
      case 'RestElement':
        declare(pattern.argument, target, scope);
        return;
      default:
        // A member expression as an assignment target (`for (a.b in o)`): a use, not a declaration.
        visit(pattern, scope);
    }
  };

  const fn = (node: AnyNode, scope: Scope, ownName: boolean): void => {
    const inner = child(scope, true);
    if (ownName && isNode(node.id)) inner.names.add(node.id.name as string);
    inner.names.add('arguments');
    for (const p of node.params as unknown[]) declare(p, inner, inner);
    const body = node.body as AnyNode;
    if (body.type === 'BlockStatement') for (const s of body.body as unknown[]) visit(s, inner);
    else visit(body, inner);
  };

  const children = (node: AnyNode, scope: Scope): void => {
    for (const [key, value] of Object.entries(node)) {
      if (SKIP_KEYS.has(key)) continue;
      if (Array.isArray(value)) for (const v of value) visit(v, scope);
      else visit(value, scope);
    }
  };

  function visit(value: unknown, scope: Scope): void {
    if (!isNode(value)) return;
    const node = value;
    switch (node.type) {
      case 'Identifier':
        refs.push({ name: node.name as string, scope });
        return;
      case 'FunctionDeclaration':
        if (isNode(node.id)) scope.names.add(node.id.name as string);
        return fn(node, scope, false);
      case 'FunctionExpression':
        return fn(node, scope, true);
      case 'ArrowFunctionExpression':
        return fn(node, scope, false);
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const inner = child(scope);
        if (isNode(node.id)) (node.type === 'ClassDeclaration' ? scope : inner).names.add(node.id.name as string);
        visit(node.superClass, scope);
        visit(node.body, inner);
        return;
      }
      case 'VariableDeclaration':
        for (const d of node.declarations as AnyNode[]) {
          declare(d.id, node.kind === 'var' ? fnScope(scope) : scope, scope);
          visit(d.init, scope);
        }
        return;
      case 'BlockStatement':
      case 'StaticBlock': {
        const inner = child(scope);
        for (const s of node.body as unknown[]) visit(s, inner);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        return children(node, child(scope));
      case 'SwitchStatement': {
        visit(node.discriminant, scope);
        const inner = child(scope);
        for (const c of node.cases as unknown[]) visit(c, inner);
        return;
      }
      case 'CatchClause': {
        const inner = child(scope);
        declare(node.param, inner, inner);
        visit(node.body, inner);
        return;
      }
      case 'MemberExpression':
        visit(node.object, scope);
        if (node.computed) visit(node.property, scope);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) visit(node.key, scope);
        visit(node.value, scope);
        return;
      case 'LabeledStatement':
        return visit(node.body, scope);
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return;
      default:
        return children(node, scope);
    }
  }

  for (const s of program.body) visit(s, root);
  const free = new Set<string>();
  for (const { name, scope } of refs) {
    let s: Scope | undefined = scope;
    while (s && !s.names.has(name)) s = s.parent;
    if (!s) free.add(name);
  }
  return free;
}
