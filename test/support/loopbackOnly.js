/**
 * Preloaded into a barista child process (NODE_OPTIONS="--require <this file>"): every outgoing
 * TCP connection is written to $BARISTA_NET_LOG as a JSON line, and one to a host that is not
 * loopback is refused. A test then proves from the log that nothing left 127.0.0.1 (and, from the
 * loopback lines, that the guard was active). Plain JS: the child loads it without compiling.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, loaded by node --require */
const fs = require('node:fs');
const net = require('node:net');

const logFile = process.env.BARISTA_NET_LOG;
const connect = net.Socket.prototype.connect;

function destinationOf(args) {
  // net.connect() hands Socket#connect its normalised [options, callback] array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first) };
  }
  if (typeof first === 'string') return { path: first };
  if (first && typeof first === 'object') {
    if (typeof first.path === 'string') return { path: first.path };
    return { host: first.host ?? 'localhost', port: Number(first.port) };
  }
  return { host: 'unknown' };
}

function isLoopback(destination) {
  if (destination.path !== undefined) return true; // a Unix socket stays on this machine
  const host = String(destination.host).replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

net.Socket.prototype.connect = function guardedConnect(...args) {
  const destination = destinationOf(args);
  const allowed = isLoopback(destination);
  if (logFile) fs.appendFileSync(logFile, `${JSON.stringify({ ...destination, allowed, pid: process.pid })}\n`);
  if (!allowed) {
    process.nextTick(() => this.destroy(new Error(`test guard: connection to ${destination.host}:${destination.port} refused (loopback only)`)));
    return this;
  }
  return connect.apply(this, args);
};
