#!/usr/bin/env node
// The `cohort` command. Its TypeScript sources are bundled into one CommonJS file for Node 20+ on
// first run and again whenever a source is newer than the bundle, so no build step comes between
// `npm install` and `npx cohort`, and an edited source is what runs next time.
import { pathToFileURL } from "node:url";
import { BUNDLE, bundle, isStale } from "./build.mjs";

if (isStale()) await bundle();
await import(pathToFileURL(BUNDLE).href);
