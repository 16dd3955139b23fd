// tsc compiles only TypeScript; the Lua scripts of src/buffer/lua are copied beside the output.
import { cpSync } from 'node:fs';

cpSync('src/buffer/lua', 'dist/src/buffer/lua', { recursive: true });
