/** Where local mode's embedded warehouse lives: shared by `npm start` and the operator CLI (defined with the other shared settings). */
export { LOCAL_WAREHOUSE_DATABASE, LOCAL_WAREHOUSE_PORT } from '../lambdas/environment';
