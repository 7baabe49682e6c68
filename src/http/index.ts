/** The HTTP server: Yoga with Gatehouse's plugins, routes and security, and the listener that drains on close. */
export { type Listening, listenHttp } from './listen.js';
export { createGatehouseYoga, type GatehouseYoga, type ServerContext, type YogaOptions } from './yoga.js';
