/** wllama's JavaScript, in a chunk of its own (`wllama-bundle-*.js`) that loads only with the CPU engine. */
export { Wllama } from '@wllama/wllama';
