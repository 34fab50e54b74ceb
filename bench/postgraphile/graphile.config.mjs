// PostGraphile 5 as the benchmark's second baseline: the amber preset over schema `public`,
// no GraphiQL (ruru), no explain, bound to loopback. bench/postgraphile/server.py passes the
// connection string, schema, host and port on the command line (the CLI's `-c`, `-s`, `-n`, `-p`
// take precedence over what a config file says) and loads this file with `-C`.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

// Amber offers `condition` only on indexed columns. Our widget listing filters on
// dashboard_widgets.in_library (a filter over the (tenant_id, id) index scan, unindexed on its own),
// so mark it filterable: a smart tag in PostGraphile's own config, nothing changes in the database.
const LibraryFilterPlugin = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      "public.dashboard_widgets": {
        attribute: { in_library: { tags: { isIndexed: true } } },
      },
    },
  },
});

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [LibraryFilterPlugin],
  grafserv: {
    host: "127.0.0.1",
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    websockets: false,
    watch: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
