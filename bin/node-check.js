// Runs before any TypeScript source is loaded: the sources are executed by Node's built-in type stripping
// (Node >= 22.18), and the Kubernetes client needs Node >= 22.19. An older Node gets one clear line instead of
// a syntax error. Plain JavaScript on purpose, so that old Nodes can parse it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `flagger needs Node.js >= 22.19 (this is ${process.version}). ` +
      'Run it through npm (npx flagger, npm run ...), which uses the Node.js installed by `npm ci`.\n',
  );
  process.exit(1);
}
