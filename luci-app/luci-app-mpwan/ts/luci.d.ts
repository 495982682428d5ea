// Typings for the parts of LuCI's client framework (luci-base) the mpwan views use. LuCI
// ships no typings; these follow luci.js, form.js, rpc.js, ui.js and uci.js. Views import
// `luci/<module>`; scripts/build-luci.mjs turns each import into a `'require <module>'`
// literal and a parameter of the class factory, exactly what luci.js expects.

/**
 * What luci.js's dom.append (and so E()) does with children:
 * - an array: each Node member is appended, every other member becomes a text node of
 *   String(member), so null, undefined and false would print "null", "undefined", "false";
 * - a lone Node is appended; a lone function is called with the parent and its result appended;
 * - anything else (a lone string) is assigned to innerHTML: it is parsed as markup.
 * The views therefore pass text only inside arrays, and never null/false members: build the
 * array without them.
 */
type Child = Node | string | number;
type Children = Node | Child[];
/** dom.attr: a function is an event listener, null/undefined is skipped, anything else is
 *  setAttribute(String(value)) (so `false` would set "false"; objects become JSON). */
type Attrs = Record<string, string | number | null | undefined | EventListener>;

/** LuCI's DOM builder. The second argument is taken as attributes when it is a non-array
 *  object (a Node too), so children alone must come as an array. */
declare function E(tag: string, attrs?: Attrs, children?: Children): HTMLElement;
declare function E(tag: string, children: Child[]): HTMLElement;
/** Marks a translatable literal; keep the argument a plain string literal. */
declare function _(msgid: string, context?: string): string;
declare function N_(count: number, singular: string, plural: string, context?: string): string;

interface String {
  /** LuCI's printf: %s, %d, %f with precision (`'%.1f'`). */
  format(...args: unknown[]): string;
}

declare namespace LuCI {
  interface Class<T = object> {
    new (): T;
    extend<P extends object>(props: P & ThisType<T & P>): Class<T & P>;
    isSubclass(c: unknown): boolean;
    prototype: T;
  }

  interface ViewBase {
    load(): unknown;
    render(data: unknown): Node | Promise<Node>;
    handleSave: ((ev?: Event) => Promise<unknown>) | null;
    handleSaveApply: ((ev?: Event, mode?: string) => Promise<unknown>) | null;
    handleReset: ((ev?: Event) => Promise<unknown>) | null;
  }

  interface RpcDeclaration {
    object: string;
    method: string;
    params?: string[];
    /** `{ key: default }`: resolve with reply[key] (or the default when it has another type). `{ '': {} }`: the whole reply. */
    expect?: Record<string, unknown>;
    filter?: (data: unknown, args: unknown[], ...extra: unknown[]) => unknown;
    /** Reject on a non-zero ubus status (else it resolves with the `expect` default). */
    reject?: boolean;
  }

  interface Rpc {
    declare<R = unknown>(d: RpcDeclaration): (...args: unknown[]) => Promise<R>;
    getStatusText(code: number): string;
  }

  interface Poll {
    /** Queues fn to run every `interval` seconds, never twice at once. When the loop is not
     *  running yet (as after page load), this starts it, which runs fn at once. */
    add(fn: () => unknown, interval?: number): boolean;
    remove(fn: () => unknown): boolean;
    start(): boolean;
    stop(): boolean;
    active(): boolean;
  }

  interface Ui {
    /** The title goes through E('h4', {}, title): innerHTML, so a literal only. */
    addNotification(title: string | null, children: Children, ...classes: string[]): HTMLElement;
    showModal(title: string | null, children: Children, ...classes: string[]): HTMLElement;
    hideModal(): void;
    changes: { apply(checked?: boolean): void };
  }

  interface Dom {
    content(node: Node, children: Children | null): Node | null;
    append(node: Node, children: Children | null): Node | null;
    elem(x: unknown): x is Element;
  }

  interface Uci {
    load(config: string | string[]): Promise<string[]>;
    get(config: string, section: string, option?: string): string | string[] | null | undefined;
    set(config: string, section: string, option: string, value: string | string[] | null): void;
    unset(config: string, section: string, option: string): void;
    sections(config: string, type?: string): Array<Record<string, unknown> & { '.name': string; '.type': string }>;
    save(): Promise<unknown>;
    /** Edits not yet sent to rpcd, per config (uci.js keeps them so until save()). */
    state: Record<'creates' | 'changes' | 'deletes' | 'reorder', Record<string, unknown>>;
  }

  interface AbstractValue {
    datatype: string;
    default: string | string[] | null;
    rmempty: boolean;
    optional: boolean;
    placeholder: string;
    description: string;
    editable: boolean;
    modalonly: boolean | null;
    password: boolean;
    readonly: boolean;
    /** Hidden by its dependencies, the option keeps its value on Save (else it is removed). */
    retain: boolean;
    /** `field` is an option of the same section, or '<config>.<section>.<option>' of another;
     *  several calls show the option when any one is met. */
    depends(field: string | Record<string, string | boolean>, value?: string): void;
    /** Runs after the datatype passed, bound to the option, with the validator's value (see lib/form.ts fieldText). */
    validate(sectionId: string, value: string): true | string;
    /** 'cbid.<config>.<section>.<option>': the widget's frame id; its input is 'widget.' + that. */
    cbid(sectionId: string): string;
    /** form.js: reads the widget, validates, then writes, removes or leaves the option. */
    parse(sectionId: string): Promise<void>;
    /** The option is rendered and its dependencies are met. */
    isActive(sectionId: string): boolean;
    isValid(sectionId: string): boolean;
    /** The config's value, read when the map loads; cfgvalue returns it afterwards. */
    load(sectionId: string): string | string[] | null | undefined;
    cfgvalue(sectionId: string): string | string[] | null | undefined;
    formvalue(sectionId: string): string | string[] | null;
    write(sectionId: string, value: string | string[]): void;
    remove(sectionId: string): void;
    value(key: string, label?: string): void;
    textvalue(sectionId: string): string | Node;
  }

  interface AbstractSection {
    addremove: boolean;
    anonymous: boolean;
    nodescriptions: boolean;
    sortable: boolean;
    addbtntitle: string;
    /** The ids of the sections it shows. */
    cfgsections(): string[];
    /** The Add button (and name field) below the sections. */
    renderSectionAdd(extraClass?: string): HTMLElement;
    tab(name: string, title: string, description?: string): void;
    option<O extends AbstractValue = AbstractValue>(cls: OptionClass<O>, name: string, title?: string, description?: string): O;
    taboption<O extends AbstractValue = AbstractValue>(tab: string, cls: OptionClass<O>, name: string, title?: string, description?: string): O;
  }

  interface FormMap {
    section<S extends AbstractSection = AbstractSection>(cls: SectionClass<S>, ...args: string[]): S;
    render(): Promise<Node>;
    save(cb?: () => unknown, silent?: boolean): Promise<unknown>;
    chain(config: string): void;
  }

  /** Option and section classes are constructed by LuCI (m.section(cls), s.option(cls)). */
  type OptionClass<O extends AbstractValue = AbstractValue> = { readonly __option: O };
  type SectionClass<S extends AbstractSection = AbstractSection> = { readonly __section: S };

  interface Form {
    Map: new (config: string, title?: string, description?: string) => FormMap;
    TypedSection: SectionClass;
    NamedSection: SectionClass;
    GridSection: SectionClass;
    Value: OptionClass;
    ListValue: OptionClass;
    Flag: OptionClass;
    DynamicList: OptionClass;
    DummyValue: OptionClass;
  }

  interface Widgets {
    NetworkSelect: OptionClass<AbstractValue & { multiple: boolean; nocreate: boolean; filter?: (sectionId: string, value: string) => boolean }>;
  }

  interface Env {
    pollinterval: number;
    [key: string]: unknown;
  }

  interface L {
    env: Env;
    resolveDefault<T>(p: Promise<T>, dflt: T): Promise<T>;
    bind<F extends (...a: never[]) => unknown>(fn: F, self: unknown, ...args: unknown[]): F;
  }
}

declare const L: LuCI.L;

declare module 'luci/view' {
  const view: LuCI.Class<LuCI.ViewBase>;
  export default view;
}
declare module 'luci/form' {
  const form: LuCI.Form;
  export default form;
}
declare module 'luci/rpc' {
  const rpc: LuCI.Rpc;
  export default rpc;
}
declare module 'luci/poll' {
  const poll: LuCI.Poll;
  export default poll;
}
declare module 'luci/ui' {
  const ui: LuCI.Ui;
  export default ui;
}
declare module 'luci/dom' {
  const dom: LuCI.Dom;
  export default dom;
}
declare module 'luci/uci' {
  const uci: LuCI.Uci;
  export default uci;
}
declare module 'luci/tools.widgets' {
  const widgets: LuCI.Widgets;
  export default widgets;
}
