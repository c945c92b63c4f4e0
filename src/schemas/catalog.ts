import { z } from "@hono/zod-openapi";
import { page } from "./common";
import { Id } from "./records";
import { CatalogItem } from "./views";

export const ItemIdParam = z.object({ id: Id });
export const CatalogBody = z.strictObject({ title: z.string().trim().min(1).max(500) });
export const CatalogPage = page(CatalogItem);
