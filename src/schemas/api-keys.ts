import { list } from "./common";
import { ApiKey } from "./tenants";

export const ApiKeyList = list(ApiKey);
