/** Where local mode's embedded warehouse lives: shared by `npm start` and the operator CLI. */

/** The database `npm start` creates on the embedded server and loads into. */
export const LOCAL_WAREHOUSE_DATABASE = 'totesys_warehouse';
/** Default port of the embedded server: stable, so the printed psql command keeps working. */
export const LOCAL_WAREHOUSE_PORT = 54329;
