// A rollup plugin for the minified IIFE only: oauth4webapi's error messages become their codes.
//
// oauth4webapi's messages (about 1.3 KB gzip of the IIFE) are written for developers reading a stack trace. pkce-spa
// maps its errors by type and `code`, never by message (src/oauth.ts), and every AuthError says what happened and what
// to do in its own words, so in the minified build each such message is replaced with its code: the code constant the
// error carries (`OPE('unexpected JWT "iss" ...', JWT_CLAIM_COMPARISON)` becomes `OPE(JWT_CLAIM_COMPARISON, ...)`),
// and the descriptions handed to its assertion helpers (`assertString(x, '"response" body "scope" property', ...)`),
// which only fed those messages, become `0`. dist/pkce-spa.js (unminified) and the ESM build keep every message.
//
// Built on the syntax tree, not on text: a call is rewritten only where its shape is the one described below, and the
// plugin fails the build when it rewrites nothing (a new oauth4webapi that changed shape must not pass unnoticed).

/** Calls whose first argument is a message, and the code that replaces it: an argument index or a constant's name. */
const MESSAGE_CALLS = {
  OPE: 1, // OPE(message, code, cause)
  CodedTypeError: 1, // CodedTypeError(message, code, cause)
  OperationProcessingError: 'code', // new OperationProcessingError(message, { code, cause })
  UnsupportedOperationError: 'UNSUPPORTED_OPERATION',
  ResponseBodyError: 'RESPONSE_BODY_ERROR',
  AuthorizationResponseError: 'AUTHORIZATION_RESPONSE_ERROR',
  WWWAuthenticateChallengeError: 'WWW_AUTHENTICATE_CHALLENGE',
};

/** A message written in the source: a string, a template, a concatenation or a choice of them (not a variable passed on). */
const isWrittenMessage = (node) =>
  (node.type === 'Literal' && typeof node.value === 'string') ||
  node.type === 'TemplateLiteral' ||
  (node.type === 'ConditionalExpression' && isWrittenMessage(node.consequent) && isWrittenMessage(node.alternate)) ||
  (node.type === 'BinaryExpression' &&
    node.operator === '+' &&
    (isWrittenMessage(node.left) || isWrittenMessage(node.right)));

/** An expression that can be evaluated twice: no calls, no assignments. */
const isPure = (node) =>
  ![...walk(node)].some((n) => /^(Call|New|Assignment|Update|Await|Yield)Expression$/.test(n.type));

/** Every node of an ESTree tree, parents before children. */
function* walk(node) {
  if (!node || typeof node.type !== 'string') return;
  yield node;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const child of value) yield* walk(child);
    else if (value && typeof value === 'object' && typeof value.type === 'string') yield* walk(value);
  }
}

/** Applies [start, end, text] replacements (non-overlapping) to `code`. */
function splice(code, edits) {
  let out = code;
  for (const [start, end, text] of [...edits].sort((a, b) => b[0] - a[0]))
    out = out.slice(0, start) + text + out.slice(end);
  return out;
}

const calleeName = (node) => (node.callee.type === 'Identifier' ? node.callee.name : undefined);

/** Step 1: message arguments of oauth4webapi's error constructors and helpers become the error's code. */
function replaceMessages(code, ast) {
  const edits = [];
  for (const node of walk(ast)) {
    if (node.type !== 'CallExpression' && node.type !== 'NewExpression') continue;
    const replacement = MESSAGE_CALLS[calleeName(node)];
    const [message] = node.arguments;
    if (replacement === undefined || !message || !isWrittenMessage(message)) continue;
    let text;
    if (typeof replacement === 'number') {
      const codeArg = node.arguments[replacement];
      // A code chosen at run time (a conditional) is repeated as written; the error carries the same value.
      if (!codeArg) continue;
      text = codeArg.type === 'Identifier' || isPure(codeArg) ? code.slice(codeArg.start, codeArg.end) : "''";
    } else if (replacement === 'code') {
      continue; // oauth4webapi only calls it through OPE(); a direct call would need its options object read.
    } else {
      text = replacement;
    }
    edits.push([message.start, message.end, text]);
  }
  return edits;
}

/**
 * Step 2: once the messages are gone, a top-level function parameter that nothing reads any more (`it` in
 * `assertString(input, it, code, cause)`) only carried a description for a message; its string arguments become `0`.
 */
function replaceDescriptions(ast) {
  const unused = new Map(); // function name -> indexes of parameters never read
  for (const fn of ast.body) {
    if (fn.type !== 'FunctionDeclaration' || !fn.id) continue;
    const read = new Set();
    for (const node of walk(fn.body)) if (node.type === 'Identifier') read.add(node.name);
    if (read.has('arguments')) continue;
    const indexes = fn.params.flatMap((p, i) => (p.type === 'Identifier' && !read.has(p.name) ? [i] : []));
    if (indexes.length) unused.set(fn.id.name, indexes);
  }
  const edits = [];
  for (const node of walk(ast)) {
    if (node.type !== 'CallExpression') continue;
    for (const i of unused.get(calleeName(node)) ?? []) {
      const arg = node.arguments[i];
      if (arg && isWrittenMessage(arg)) edits.push([arg.start, arg.end, '0']);
    }
  }
  return edits;
}

/** The plugin: rewrites oauth4webapi's build (and nothing else) as described at the top of this file. */
export function stripMessages({ packageDir = '/node_modules/oauth4webapi/' } = {}) {
  let rewritten = 0;
  return {
    name: 'strip-oauth4webapi-messages',
    buildStart() {
      rewritten = 0;
    },
    transform(code, id) {
      if (!id.replaceAll('\\', '/').includes(packageDir)) return null;
      const messages = replaceMessages(code, this.parse(code));
      const withoutMessages = splice(code, messages);
      const descriptions = replaceDescriptions(this.parse(withoutMessages));
      rewritten += messages.length + descriptions.length;
      return { code: splice(withoutMessages, descriptions), map: null };
    },
    buildEnd(error) {
      if (!error && rewritten === 0)
        this.error('strip-messages rewrote no oauth4webapi message: has its source changed shape?');
    },
  };
}
