#!/usr/bin/env node
// In a source checkout, run the TypeScript sources through tsx; in an installed package, run the built files.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const source = fileURLToPath(new URL('../src/entries/bin.ts', import.meta.url))
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source)
} else {
  await import('../dist/entries/bin.js')
}
