import denoJson from "../../deno.json" with { type: "json" };

/** The themis version, as `deno.json` declares it. */
export const TOOL_VERSION: string = denoJson.version;
