#!/usr/bin/env node
// The `weir` binary. Everything happens in runCli; this file only hands it argv and the exit code back.
import { runCli } from './run.js'

process.exitCode = await runCli(process.argv.slice(2))
