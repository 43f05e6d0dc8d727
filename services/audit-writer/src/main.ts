#!/usr/bin/env node
// The audit-writer service (`npm start` runs this): `dicomtrail audit run`.
process.argv.splice(2, process.argv.length - 2, 'run');
await import('./cli.js');
