// What wrangler.toml binds, read by wrangler itself: the dev start, the benchmark and provisioning
// walk the same list of databases (the control one and every record shard).
import { unstable_readConfig } from "wrangler";

export const readConfig = (configPath = "wrangler.toml") => unstable_readConfig({ config: configPath });

/** The D1 bindings, the control database (`DB`) first. */
export const d1Bindings = (configPath) => readConfig(configPath).d1_databases.map((d) => d.binding);
