/**
 * The app the `spindle watch` tests watch: component `w` on `/`, built by the build
 * table given, and `p` on `/p`, prebuilt (no build command). Both get the variable
 * `suffix` (".v2"), for the guests that read it.
 */
export function watchedAppManifest(build: string, prebuilt = 'p.wasm'): string {
  return `[application]
name = "watched"
[variables]
suffix = { default = ".v2" }
[[trigger.cloudevents]]
component = "w"
[[trigger.cloudevents]]
route = "/p"
component = "p"
[component.w]
source = "w.wasm"
[component.w.variables]
suffix = "{{ suffix }}"
[component.w.build]
${build}
[component.p]
source = "${prebuilt}"
[component.p.variables]
suffix = "{{ suffix }}"
`;
}
