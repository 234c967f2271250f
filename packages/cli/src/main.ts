#!/usr/bin/env node
// The `weir` binary. Everything happens in runCli; this file only hands it argv and the exit code back.
import { runCli } from './run.js'

// Every partition's fsync runs on libuv's thread pool, 4 threads by default: with more partitions
// than that writing at once, group commits queue behind each other. The pool starts on its first
// use (after these lines), so this is still in time; an explicit setting wins.
process.env.UV_THREADPOOL_SIZE ??= '16'

process.exitCode = await runCli(process.argv.slice(2))
