// @ts-check
'use strict';
/**
 * `npm start`: builds when the sources changed since the last build, then runs the API in
 * this very process (the build output is required, not spawned). package.json runs it with
 * `exec`, so there is no shell between npm and this process either: SIGTERM to this PID — or
 * to npm's, which forwards it — reaches the app, which closes cleanly; nothing is orphaned.
 * Arguments are the app's (`--seed`).
 */
const { buildIfChanged, entryOf } = require('./build');
const { join } = require('node:path');

buildIfChanged()
  .then(() => require(entryOf(join(__dirname, '..'), 'api')))
  .catch((/** @type {Error} */ error) => {
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  });
