/** Money as text on the unscaled bigint: see decimal-text.ts. */
export { formatUnscaled, formatUnscaledShortest, parseUnscaled } from './decimal-text';
