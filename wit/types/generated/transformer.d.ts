/// <reference path="./interfaces/fermyon-spin-variables.d.ts" />
/// <reference path="./interfaces/spindle-event-handler.d.ts" />
/// <reference path="./interfaces/spindle-event-types.d.ts" />
declare module 'spindle:event/transformer@0.1.0' {
  export type * as FermyonSpinVariables200 from 'fermyon:spin/variables@2.0.0'; // import fermyon:spin/variables@2.0.0
  export type * as SpindleEventTypes010 from 'spindle:event/types@0.1.0'; // import spindle:event/types@0.1.0
  export * as handler from 'spindle:event/handler@0.1.0'; // export spindle:event/handler@0.1.0
}
