/** The app's version, reported in x-scorer-version and /.scorer/health; a test keeps it equal to package.json's. */
export const APP_VERSION = '0.1.0';
