import { z } from "@hono/zod-openapi";
import { page } from "./common";
import { CatalogItem } from "./views";

export const ItemIdParam = z.object({ id: z.string().min(1).max(255) });
export const CatalogBody = z.strictObject({ title: z.string().trim().min(1).max(500) });
export const CatalogPage = page(CatalogItem);
