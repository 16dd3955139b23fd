// Loads the buffer's Lua scripts and runs them with EVALSHA, falling back to EVAL the first
// time a server has not seen a script (after a restart or on a new replica).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { type StreamKeys, scriptKeys } from './keys.js';

const luaDir = new URL('./lua/', import.meta.url);

function source(name: string): string {
  return readFileSync(new URL(name, luaDir), 'utf8');
}

type RedisArg = string | number | Buffer;

export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly body: string,
  ) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }

  async run(redis: Redis, keys: StreamKeys, args: RedisArg[], extraKeys: string[] = []): Promise<unknown> {
    const keyList = [...scriptKeys(keys), ...extraKeys];
    try {
      return await redis.evalsha(this.sha, keyList.length, ...keyList, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return await redis.eval(this.body, keyList.length, ...keyList, ...args);
      }
      throw error;
    }
  }
}

const cutLib = source('cut.lua');

export const scripts = {
  append: new LuaScript('append', `${cutLib}\n${source('append.lua')}`),
  cutDue: new LuaScript('cut_due', `${cutLib}\n${source('cut_due.lua')}`),
  complete: new LuaScript('complete', source('complete.lua')),
};
