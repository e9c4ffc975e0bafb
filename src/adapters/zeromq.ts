// memtls/zeromq adapter (not yet implemented; see README).
export {};
