export * from "./ram-credentials-config.js";
