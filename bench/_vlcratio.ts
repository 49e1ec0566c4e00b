import { lspRatios } from './lspRatios';
import { vlcShaped } from './shapes';
(async () => {
  const r = await lspRatios({ name: 'vlc', text: vlcShaped(13_000), sites: /libvlc_function_\d+|method_\d+/g });
  console.log(JSON.stringify({ edit: r.editP95.toFixed(1), reparse: r.reparseP95.toFixed(1), ratio: (r.editP95 / r.reparseP95).toFixed(2), parse: r.fullParse.toFixed(1) }));
})();
