// A small MCP server for the list-change test, on the official TypeScript SDK that the pinned servers bring along.
// It starts with one tool, 'add-tool'; calling it registers 'added-tool', which makes the SDK send
// notifications/tools/list_changed. Run as: node list-changing.mjs <folder with node_modules>
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const base = process.argv[2];
const require = createRequire(path.join(base, "package.json"));
const load = (p) => import(pathToFileURL(require.resolve(p)).href);
const { McpServer } = await load("@modelcontextprotocol/sdk/server/mcp.js");
const { StdioServerTransport } = await load("@modelcontextprotocol/sdk/server/stdio.js");

const server = new McpServer({ name: "list-changing", version: "1.0.0" });
server.registerTool("add-tool", { description: "Adds the tool 'added-tool'.", annotations: { readOnlyHint: true } }, async () => {
  server.registerTool("added-tool", { description: "Appeared after a list change.", annotations: { readOnlyHint: true } }, async () => ({
    content: [{ type: "text", text: "hello from the added tool" }],
  }));
  return { content: [{ type: "text", text: "added" }] };
});
await server.connect(new StdioServerTransport());
