//! Every case of `data/test_data.json` through the real client in the browser (the JavaScript
//! driver, `js/driver.js`, over the Wasm booking core), with a scenario-driven `fetch`
//! returning real `Response` objects, checked against
//! `data/expected_postchange.json` (outcome, provider calls, retries, breaker, outbox, log
//! records: ids on every record, no personal data). The runner is
//! `tests/support/scenarios.js`, shared with `scripts/scenarios.mjs`.
#![cfg(all(target_arch = "wasm32", feature = "client"))]

use js_sys::{Array, Function, Object, Reflect};
use raptor_secondary::web::core::Core;
use raptor_secondary::web::resolve::resolve_action;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DATA: &str = include_str!("../data/test_data.json");
const EXPECTED: &str = include_str!("../data/expected_postchange.json");

#[wasm_bindgen(module = "/tests/support/load_client.js")]
extern "C" {
    /// `js/client.js`, its imports loaded first, one at a time.
    #[wasm_bindgen(js_name = loadClient)]
    fn load_client() -> js_sys::Promise;
}

// `js/client.js` and the driver's modules are declared here so wasm-bindgen copies them into
// the test's snippets (it copies each module a test names, not what those import). None is
// called: an unused import is left out of the glue, and `load_client` loads them one at a time
// (see tests/support/load_client.js for why) and hands `defineClient` over.
#[wasm_bindgen(module = "/js/client.js")]
extern "C" {
    #[wasm_bindgen(js_name = defineClient)]
    fn define_client(core: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/js/kinds.js")]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = TIMER)]
    static TIMER: f64;
}
#[wasm_bindgen(module = "/js/driver.js")]
extern "C" {
    type Driver;
    #[wasm_bindgen(constructor)]
    fn new(core: &JsValue, options: &JsValue) -> Driver;
}
#[wasm_bindgen(module = "/js/tabs.js")]
extern "C" {
    type Tabs;
    #[wasm_bindgen(constructor)]
    fn new(driver: &JsValue, items: &JsValue) -> Tabs;
}
#[wasm_bindgen(module = "/js/guard.js")]
extern "C" {
    fn classify(value: &JsValue) -> JsValue;
}
#[wasm_bindgen(module = "/js/config.js")]
extern "C" {
    #[wasm_bindgen(js_name = splitConfig)]
    fn split_config(config: &JsValue, names: &JsValue) -> JsValue;
}
#[wasm_bindgen(module = "/js/transport.js")]
extern "C" {
    fn send(
        fetch: &JsValue,
        base: &str,
        command: &JsValue,
        signal: &JsValue,
        before: &JsValue,
    ) -> JsValue;
}
#[wasm_bindgen(module = "/js/storage.js")]
extern "C" {
    #[wasm_bindgen(js_name = warnOnce)]
    fn warn_once(what: &str, error: &JsValue);
}

thread_local! {
    /// The AppointmentClient class, once `js/client.js` is loaded.
    static CLASS: std::cell::RefCell<Option<Function>> = const { std::cell::RefCell::new(None) };
}

/// Loads `js/client.js` (once) and makes the class: every test awaits it first.
async fn load_class() {
    if CLASS.with(|c| c.borrow().is_some()) {
        return;
    }
    let module = JsFuture::from(load_client())
        .await
        .expect("js/client.js loads");
    let define: Function = Reflect::get(&module, &"defineClient".into())
        .unwrap()
        .unchecked_into();
    let class = define.call1(&JsValue::NULL, &client_core()).unwrap();
    CLASS.with(|c| *c.borrow_mut() = Some(class.unchecked_into()));
}

/// What `defineClient` takes to make the class over this build's core, as `js/index.js` gives
/// it.
fn client_core() -> JsValue {
    let core = Object::new();
    type MakeCore = dyn Fn(JsValue, Vec<u8>, f64) -> Result<JsValue, JsValue>;
    let make: Closure<MakeCore> = Closure::new(|options: JsValue, seed: Vec<u8>, now| {
        Core::new(&options, &seed, now).map(JsValue::from)
    });
    let names =
        |config: bool| -> Array { Core::fields(config).split(',').map(JsValue::from).collect() };
    let request: Closure<dyn Fn() -> Array> = Closure::new(move || names(false));
    let config: Closure<dyn Fn() -> Array> = Closure::new(move || names(true));
    let resolve: Closure<dyn Fn(JsValue) -> JsValue> = Closure::new(|event: JsValue| {
        resolve_action(&event, &JsValue::UNDEFINED).unwrap_or(JsValue::NULL)
    });
    for (name, f) in [
        ("makeCore", make.into_js_value()),
        ("requestFields", request.into_js_value()),
        ("configFields", config.into_js_value()),
        ("resolveAction", resolve.into_js_value()),
    ] {
        Reflect::set(&core, &name.into(), &f).unwrap();
    }
    core.into()
}

fn new_client(config: JsValue) -> Result<JsValue, JsValue> {
    let class = CLASS
        .with(|c| c.borrow().clone())
        .expect("load_class() first");
    Reflect::construct(&class, &Array::of1(&config))
}

#[wasm_bindgen(module = "/tests/support/scenarios.js")]
extern "C" {
    #[wasm_bindgen(js_name = runAndCheck)]
    fn run_and_check(create: &Function, data: &str, expected: &str, id: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = caseIds)]
    fn case_ids(data: &str) -> Array;
}

async fn scenario(id: &str) {
    load_class().await;
    let create: Closure<dyn Fn(JsValue) -> Result<JsValue, JsValue>> = Closure::new(new_client);
    let outcome = JsFuture::from(run_and_check(
        create.as_ref().unchecked_ref(),
        DATA,
        EXPECTED,
        id,
    ))
    .await
    .unwrap_or_else(|e| panic!("{id}: the runner threw {e:?}"));
    let passed = Reflect::get(&outcome, &"passed".into())
        .unwrap()
        .is_truthy();
    let failures: Vec<String> = Array::from(&Reflect::get(&outcome, &"failures".into()).unwrap())
        .iter()
        .filter_map(|f| f.as_string())
        .collect();
    assert!(passed, "{id}:\n  {}", failures.join("\n  "));
}

macro_rules! scenarios {
    ($($id:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test]
            async fn $id() {
                scenario(stringify!($id)).await;
            }
        )*

        #[wasm_bindgen_test]
        fn every_case_in_the_data_has_a_test() {
            let listed = [$(stringify!($id)),*];
            for id in case_ids(DATA).iter().filter_map(|v| v.as_string()) {
                assert!(listed.contains(&id.as_str()), "case {id} has no test here");
            }
        }
    };
}

scenarios!(
    healthy_immediate,
    fail_once_then_replay,
    timeout_exhausted_then_breaker,
    outbox_failure_compensation,
    ie11_src_element,
    pending_then_confirmed,
    delayed_answer,
    rate_limited_retry_after,
    double_click,
    key_reused_other_payload,
    half_open_probe_success,
    half_open_probe_failure,
    invalid_request,
    unknown_action,
    compensation_needs_reconciliation,
    network_error_then_success,
    provider_refusal_not_retried,
    book_then_cancel_click,
);

#[wasm_bindgen_test]
async fn a_bad_config_throws_with_a_stable_code_and_names_the_option() {
    load_class().await;
    for (config, needle) in [
        (r#"{"attempt": 3}"#, "unknown option 'attempt'"),
        (r#"{"attempts": 0}"#, "attempts"),
        (r#"{"fetch": 5}"#, "fetch must be a function"),
        (r#"{"baseUrl": "/api v2"}"#, "baseUrl"),
        (r#""not an object""#, "must be an object"),
    ] {
        let config = js_sys::JSON::parse(config).unwrap();
        let error = new_client(config).expect_err("should throw");
        let code = Reflect::get(&error, &"code".into()).unwrap();
        let message = Reflect::get(&error, &"message".into())
            .unwrap()
            .as_string()
            .unwrap();
        assert_eq!(code.as_string().as_deref(), Some("invalid_options"));
        assert!(message.contains(needle), "{message}");
    }
}

/// The allocators' fresh blocks are aligned by rounding up, and near the top of the 32-bit
/// address space rounding up must fail, not wrap around to a low address (a block there would
/// overlap memory in use): a 2 GiB class asked for when 3 GiB are taken gets no address.
#[wasm_bindgen_test]
fn alignment_near_the_top_of_memory_fails_instead_of_wrapping() {
    use raptor_secondary::web::region::align_up;
    assert_eq!(align_up(0, 8), Some(0));
    assert_eq!(align_up(5, 8), Some(8));
    assert_eq!(align_up(65_536, 65_536), Some(65_536));
    assert_eq!(align_up(0x8000_0000, 1 << 31), Some(0x8000_0000));
    assert_eq!(align_up(0xC000_0000, 1 << 31), None);
    assert_eq!(align_up(usize::MAX - 2, 8), None);
}

/// The client's allocator (`src/web/classes.rs`): every block aligned as asked and as large as
/// asked, a freed block handed out again to the next request of its size class, a `Vec` that
/// grows within its class kept in place, and memory flat once a workload has run once.
#[wasm_bindgen_test]
fn the_allocator_reuses_blocks_by_class_and_memory_stays_flat() {
    use std::alloc::{alloc, dealloc, realloc, Layout};
    let memory = || wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
    let bytes = || {
        memory()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length()
    };
    for (size, align) in [
        (1, 1),
        (8, 8),
        (12, 4),
        (24, 8),
        (33, 1),
        (100, 16),
        (4096, 64),
        (70_000, 8),
    ] {
        let layout = Layout::from_size_align(size, align).unwrap();
        // SAFETY: a non-zero layout; the block is written within its size and freed with it.
        unsafe {
            let a = alloc(layout);
            assert!(
                !a.is_null() && a as usize % align == 0,
                "{size} bytes aligned to {align}"
            );
            let b = alloc(layout);
            assert!(
                b as usize >= a as usize + size || b as usize + size <= a as usize,
                "{size}: blocks overlap"
            );
            dealloc(a, layout);
            assert_eq!(
                alloc(layout),
                a,
                "{size}: the freed block is handed out again"
            );
            a.write_bytes(0xAB, size);
            // Within its class (the next power of two), a realloc keeps the block.
            let class = size.max(align).max(8).next_power_of_two();
            let grown = realloc(a, layout, class);
            assert_eq!(grown, a, "{size} -> {class} bytes stays in place");
            let moved = realloc(
                grown,
                Layout::from_size_align(class, align).unwrap(),
                class + 1,
            );
            assert_ne!(
                moved,
                a,
                "{class} -> {} bytes moves to the next class",
                class + 1
            );
            assert_eq!(
                *moved.add(size - 1),
                0xAB,
                "{size}: the bytes moved with the block"
            );
            dealloc(moved, Layout::from_size_align(class + 1, align).unwrap());
            dealloc(b, layout);
        }
    }
    let churn = || {
        let mut kept: Vec<String> = Vec::new();
        for i in 0..2000usize {
            kept.push("x".repeat(i % 300 + 1));
            if i % 3 == 0 {
                kept.swap_remove(i % kept.len());
            }
        }
        drop(vec![0u8; 1 << 20]);
    };
    churn();
    let before = bytes();
    for _ in 0..20 {
        churn();
    }
    assert_eq!(
        bytes(),
        before,
        "Wasm memory grew on a workload it had run before"
    );
}
