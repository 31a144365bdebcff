// Starts pouchdb-server (the CouchDB-protocol server of the embedded setup) with its gzip middleware
// replaced by a pass-through: that middleware buffers _changes feeds for clients that send
// Accept-Encoding: gzip (Apache HttpClient does), which stalls streaming feeds.
// Usage: node pouchdb-server.js POUCHDB_SERVER_INSTALL_DIR [pouchdb-server options...]
'use strict';
const path = require('path');
const { createRequire } = require('module');

const installDir = path.resolve(process.argv[2]);
const fromExpressPouchdb = createRequire(
  path.join(installDir, 'node_modules', 'express-pouchdb', 'lib', 'compression.js'));
const compressionPath = fromExpressPouchdb.resolve('compression');
require.cache[compressionPath] = {
  id: compressionPath, filename: compressionPath, loaded: true,
  exports: () => (req, res, next) => next(),
};

process.argv = [process.argv[0], 'pouchdb-server', ...process.argv.slice(3)];
createRequire(path.join(installDir, 'node_modules', 'pouchdb-server', 'package.json'))('pouchdb-server/lib/index.js');
