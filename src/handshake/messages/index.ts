// The handshake message codecs (RFC 5246 §7.4 and the extension RFCs), re-exported in one place.

export * from './certificate.js';
export * from './extensions.js';
export * from './finished.js';
export * from './handshake.js';
export * from './hello.js';
export * from './key-exchange.js';
export * from './types.js';
