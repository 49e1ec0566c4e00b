/**
 * PyPy: New Binding Module… — asks for a style, a module name and a C library or header, then writes the
 * files that server/src/newModule/templates.ts generates. Never overwrites: if any file exists, nothing
 * is written.
 */
import * as vscode from 'vscode';
import {
  BINDING_STYLES,
  checkModuleName,
  generateModule,
  setupPyWithCffiModule,
  type BindingStyleId,
} from '../../../server/src/newModule/templates';
import { COMMANDS } from '../commandIds';

interface StyleItem extends vscode.QuickPickItem {
  id: BindingStyleId;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('PyPy: New Binding Module needs an open folder to create the files in.');
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to create the binding module in' });
}

async function pickStyle(): Promise<BindingStyleId | undefined> {
  const items: StyleItem[] = BINDING_STYLES.map((s, i) => ({
    id: s.id,
    label: s.label,
    description: i === 0 ? 'recommended' : undefined,
    detail: s.detail,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'New Binding Module (1/3): binding style',
    placeHolder: "Ranked as in PyPy's guide, most useful first",
    matchOnDetail: true,
  });
  return picked?.id;
}

async function askName(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'New Binding Module (2/3): module name',
    prompt: 'The Python module to create (a valid identifier)',
    placeHolder: 'mylib',
    validateInput: (value) => (value ? checkModuleName(value) : 'a name is needed'),
  });
}

async function askLibrary(style: BindingStyleId): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'New Binding Module (3/3): C library or header',
    prompt:
      style === 'cppyy'
        ? 'Header and/or library, e.g. "zlib.h libz" (leave empty to fill in later)'
        : 'Library and/or header, e.g. "z", "libz.so.1", "zlib.h" or "z zlib.h" (leave empty for the C library)',
    placeHolder: 'z zlib.h',
  });
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Adds the cffi_modules entry through the editor, so unsaved edits in an open setup.py are kept. */
async function updateSetupPy(folder: vscode.WorkspaceFolder, name: string): Promise<vscode.Uri | undefined> {
  const uri = vscode.Uri.joinPath(folder.uri, 'setup.py');
  const existing = (await exists(uri)) ? await vscode.workspace.openTextDocument(uri) : undefined;
  const result = setupPyWithCffiModule(existing?.getText(), name);
  if (!result.ok) {
    void vscode.window.showWarningMessage(`setup.py was not changed: ${result.error}. Add "${name}_build.py:ffibuilder" to cffi_modules yourself.`);
    return undefined;
  }
  if (!result.changed) return uri;
  if (!existing) {
    await vscode.workspace.fs.writeFile(uri, Buffer.from(result.text, 'utf8'));
    return uri;
  }
  const edit = new vscode.WorkspaceEdit();
  const whole = new vscode.Range(existing.positionAt(0), existing.positionAt(existing.getText().length));
  edit.replace(uri, whole, result.text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error('VS Code refused the edit to setup.py');
  await existing.save();
  return uri;
}

/** Answers that skip the prompts (keybindings, tasks and tests pass them as the command's argument). */
export interface NewBindingModuleArgs {
  style?: BindingStyleId;
  name?: string;
  library?: string;
}

/** Resolves to the created files' paths (relative to the folder), or undefined when nothing was created. */
async function newBindingModule(args: NewBindingModuleArgs = {}): Promise<string[] | undefined> {
  const folder = await pickFolder();
  if (!folder) return undefined;
  if (args.style && !BINDING_STYLES.some((s) => s.id === args.style)) throw new Error(`unknown style "${args.style}"`);
  const style = args.style ?? (await pickStyle());
  if (!style) return undefined;
  if (args.name !== undefined && checkModuleName(args.name)) throw new Error(checkModuleName(args.name)!);
  const name = args.name ?? (await askName());
  if (!name) return undefined;
  const library = args.library ?? (await askLibrary(style));
  if (library === undefined) return undefined;

  if (style === 'rpython' && !(await exists(vscode.Uri.joinPath(folder.uri, 'pypy', 'interpreter', 'mixedmodule.py')))) {
    const go = await vscode.window.showWarningMessage(
      `${folder.name} does not look like a PyPy source checkout (no pypy/interpreter/mixedmodule.py). A mixed module only works built into PyPy.`,
      { modal: true },
      'Create Anyway',
    );
    if (go !== 'Create Anyway') return undefined;
  }
  const generated = generateModule(style, name, library);
  const targets = generated.files.map((f) => ({ ...f, uri: vscode.Uri.joinPath(folder.uri, ...f.relativePath.split('/')) }));
  const taken: string[] = [];
  for (const t of targets) if (await exists(t.uri)) taken.push(t.relativePath);
  if (taken.length) {
    void vscode.window.showErrorMessage(`Nothing was created: ${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}. Choose another name.`);
    return undefined;
  }
  for (const t of targets) await vscode.workspace.fs.writeFile(t.uri, Buffer.from(t.content, 'utf8'));

  const opened = targets.filter((t) => t.content !== '').map((t) => t.uri);
  let setupNote = '';
  if (generated.cffiModulesEntry) {
    const setupPy = await updateSetupPy(folder, name);
    if (setupPy) setupNote = ` setup.py lists ${generated.cffiModulesEntry}.`;
  }
  for (const [i, uri] of opened.entries()) {
    await vscode.window.showTextDocument(uri, { preview: false, preserveFocus: i !== 0 });
  }
  void vscode.window.showInformationMessage(`Created ${targets.map((t) => t.relativePath).join(', ')}.${setupNote}`);
  return targets.map((t) => t.relativePath);
}

export function registerNewBindingModule(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.newBindingModule, async (args?: NewBindingModuleArgs) => {
      try {
        return await newBindingModule(args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {});
      } catch (error) {
        void vscode.window.showErrorMessage(`PyPy: New Binding Module failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
  );
}
