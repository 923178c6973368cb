/** `themis view`: a local, live web app over a store (docs/view.md). */
export { serveView, type ServeViewOptions, type ViewServer } from "./serve_view.ts";
