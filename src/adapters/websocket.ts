// memtls/websocket adapter (not yet implemented; see README).
export {};
