#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../dist/entries/bin.js', import.meta.url))
if (existsSync(built)) {
  await import(built)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/entries/bin.ts')
}
