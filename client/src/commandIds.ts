/** Command ids shared by the client and package.json (test/unit/manifest.test.ts keeps them in step). */
export const COMMANDS = {
  restartServer: 'pypyBindings.restartServer',
  showLogs: 'pypyBindings.showLogs',
  convertFileToCffi: 'pypyBindings.convertFileToCffi',
  convertFolderToCffi: 'pypyBindings.convertFolderToCffi',
  newBindingModule: 'pypyBindings.newBindingModule',
  showReadinessReport: 'pypyBindings.showReadinessReport',
} as const;

/** The server-side command the palette conversion forwards to (not contributed to the palette). */
export const SERVER_CONVERT_COMMAND = 'pypyBindings.server.convertFile';

/** The server-side command the folder conversion forwards to. */
export const SERVER_CONVERT_FOLDER_COMMAND = 'pypyBindings.server.convertFolder';
