/**
 * Writes the tiny random-weight Llama model the llama_cpp example uses by default:
 * `examples/llama_cpp/models/tiny-llama.gguf` (or the path given as the first argument).
 * 2 layers, 64-wide, 4 heads, llama.cpp's 32,000-token Llama vocabulary, seeded weights
 * (about 9 MB). Needs `git` (the vocabulary is read from the llama.cpp sources inside the
 * node-llama-cpp package) and no network.
 *
 * @example
 * ```sh
 * deno run -A examples/llama_cpp/make_test_model.ts
 * ```
 */
import { dirname } from "node:path";
import { fromFileUrl } from "../../src/cli/from_file_url.ts";
import { writeTinyLlama } from "../../test/support/gguf.ts";

if (import.meta.main) {
  const path = Deno.args[0] ??
    fromFileUrl(new URL("./models/tiny-llama.gguf", import.meta.url));
  await Deno.mkdir(dirname(path), { recursive: true });
  const bytes = await writeTinyLlama(path);
  console.log(`wrote ${path} (${(bytes / 1e6).toFixed(1)} MB)`);
}
