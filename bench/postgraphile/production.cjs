// Preloaded with `node -r` before the PostGraphile CLI: Grafast decides between development and
// production mode when it is first loaded, from GRAPHILE_ENV (else NODE_ENV). The benchmark
// always measures production mode, whatever the harness's environment says.
process.env.GRAPHILE_ENV = "production";
process.env.NODE_ENV = "production";
