// memtls/node adapter (not yet implemented; see README).
export {};
