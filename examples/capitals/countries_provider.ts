/**
 * A dataset provider over real data no one here wrote: the countries of the npm package
 * `countries-list` (pinned in deno.json). Each row is one country with a capital; `answer`
 * lists the accepted spellings of the capital: as the package writes it, and without
 * diacritics when that differs ("Bogotá", "Bogota").
 */
import { continents, countries } from "countries-list";
import type { DatasetPluginModule, DatasetProvider, JsonObject } from "../../mod.ts";
import { ThemisError } from "../../mod.ts";

/** The capital without diacritics: NFKD, then combining marks dropped. */
export function withoutDiacritics(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}+/gu, "");
}

/** One row per country that has a capital, in the package's (alphabetical code) order. */
export function countryRows(): JsonObject[] {
  return Object.entries(countries)
    .filter(([, country]) => country.capital !== "")
    .map(([code, country]) => ({
      id: code,
      country: country.name,
      continent: continents[country.continent],
      answer: [...new Set([country.capital, withoutDiacritics(country.capital)])],
    }));
}

const countriesList: DatasetProvider = {
  id: "countries_list",
  validateConfig(config) {
    const unknown = Object.keys(config);
    if (unknown.length > 0) {
      throw new ThemisError(
        "SPEC_INVALID",
        `countries_list takes no config (got ${unknown.join(", ")}); pick countries with ` +
          `dataset_query instead`,
      );
    }
  },
  load: () => countryRows(),
};

const plugins: DatasetPluginModule = { datasetProviders: [countriesList] };
export default plugins;
