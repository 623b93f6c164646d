import { setFlagsFromString } from "node:v8";

/** The V8 flag that compiles WebAssembly with Liftoff, V8's baseline compiler, only. */
export const LIFTOFF_ONLY_FLAG = "--liftoff-only";

/**
 * Stops V8 from recompiling hot WebAssembly functions with TurboFan, its optimizing compiler.
 * The app's own bundle contains no WebAssembly. Node's built-in fetch (undici) parses HTTP
 * responses with llhttp compiled to WebAssembly, and Octokit sends every GitHub request through
 * it. After a few hundred responses V8 recompiles llhttp's largest function with TurboFan on a
 * background thread. On Node 20.20.2 (V8 11.3) that compile took up to 23.9 MB of compiler
 * memory for about 0.3 s. In bench/lifecycle-sweeper.ts (1,000 environments, with the webhook
 * front thread) it raised the app's peak resident memory from about 137 MB to 152 to 156 MB. `--no-wasm-tier-up` and `--no-wasm-dynamic-tiering` did not stop that
 * compile there; `--liftoff-only` did.
 *
 * Call it once at start-up, before the first fetch: V8 reads the flag when it compiles, so code
 * compiled earlier may still tier up. V8 flags are process-wide, so worker threads get it too.
 */
export function keepWasmOnBaselineCompiler(): void {
  // NOTE: V8 describes --liftoff-only as a testing flag. Set here at run time, it stopped the
  // compile on x64 with Node 20.20.2 but not with Node 24.22. Passed on the command line, as
  // `npm start` does, it stopped it on both.
  setFlagsFromString(LIFTOFF_ONLY_FLAG);
}
