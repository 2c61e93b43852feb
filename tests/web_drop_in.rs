//! Browser tests of the drop-in `getActionLabel` (Chrome and Firefox, wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect};
use raptor_secondary::web::drop_in::get_action_label;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CORPUS: &str = include_str!("../data/action_label_corpus.json");
const LEGACY_SOURCE: &str = include_str!("../legacy/src/compatActionLabel.js");

#[wasm_bindgen(module = "/tests/support/event_shapes.js")]
extern "C" {
    fn differential(corpus: &JsValue, legacy: &JsValue, candidate: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = loadCommonJs)]
    fn load_common_js(source: &str) -> JsValue;
    #[wasm_bindgen(js_name = buildEvent)]
    fn build_event(spec: &JsValue) -> JsValue;
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap()
}

fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (k, v) in fields {
        Reflect::set(&object, &(*k).into(), v).unwrap();
    }
    object.into()
}

/// The Rust `get_action_label` as a JS function, so JS test helpers can call it.
fn wasm_candidate() -> JsValue {
    Closure::<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        |event: JsValue, attribute: JsValue| get_action_label(&event, &attribute),
    )
    .into_js_value()
}

fn legacy_helper() -> JsValue {
    get(&load_common_js(LEGACY_SOURCE), "getActionLabel")
}

fn label(event: &JsValue) -> JsValue {
    get_action_label(event, &JsValue::UNDEFINED).unwrap()
}

// The legacy project's two failing tests, now passing.
#[wasm_bindgen_test]
fn ie11_style_events_expose_attributes_only_via_src_element() {
    let get_attribute = Function::new_with_args(
        "name",
        "return name === 'data-action' ? 'legacy-submit' : null",
    );
    let element = obj(&[
        ("getAttribute", get_attribute.into()),
        ("dataset", obj(&[("action", "legacy-dataset".into())])),
    ]);
    assert_eq!(label(&obj(&[("srcElement", element)])), "legacy-submit");
}

#[wasm_bindgen_test]
fn dataset_fallback_should_read_from_src_element() {
    let element = obj(&[("dataset", obj(&[("action", "legacy-dataset-only".into())]))]);
    assert_eq!(
        label(&obj(&[("srcElement", element)])),
        "legacy-dataset-only"
    );
}

#[wasm_bindgen_test]
fn agrees_with_the_legacy_helper_wherever_it_was_right_and_fixes_every_src_element_case() {
    let corpus = js_sys::JSON::parse(CORPUS).unwrap();
    let cases = Array::from(&get(&corpus, "cases")).length();
    assert!(
        cases >= 40,
        "the corpus must hold at least 40 event shapes, has {cases}"
    );
    let report = differential(&corpus, &legacy_helper(), &wasm_candidate());
    let problems: Vec<String> = Array::from(&get(&report, "problems"))
        .iter()
        .map(|p| p.as_string().unwrap())
        .collect();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(get(&report, "fixed").as_f64().unwrap() >= 7.0);
}

#[wasm_bindgen_test]
fn a_falsy_event_is_a_type_error_with_the_legacy_message() {
    for event in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        0.into(),
        "".into(),
        JsValue::FALSE,
    ] {
        let error = get_action_label(&event, &JsValue::UNDEFINED).unwrap_err();
        assert!(error.is_instance_of::<js_sys::TypeError>());
        assert_eq!(
            get(&error, "message"),
            "getActionLabel: an event-like object is required"
        );
    }
}

#[wasm_bindgen_test]
fn the_label_comes_back_as_the_same_string_unit_for_unit() {
    // A lone surrogate cannot survive a Rust String round trip; the drop-in never makes one.
    let value = JsValue::from(js_sys::JsString::from_char_code(&[
        0x62, 0xD800, 0x6B, 0xDC00,
    ]));
    let get_attribute = Function::new_with_args("", "return this.v");
    let element = obj(&[("getAttribute", get_attribute.into()), ("v", value.clone())]);
    let got = label(&obj(&[("target", element)]));
    assert!(Object::is(&got, &value));
}

#[wasm_bindgen_test]
fn hostile_input_never_leaves_the_module_unusable_or_leaking() {
    let hostile = ["throwing-target-getter", "proxy", "revoked-proxy"];
    let good = build_event(
        &js_sys::JSON::parse(r#"{"srcElement":{"attrs":{"data-action":"ok"}}}"#).unwrap(),
    );
    let live_before = wasm_bindgen::externref_heap_live_count();
    let memory_before = memory_bytes();
    for round in 0..20_000 {
        let kind = hostile[round % hostile.len()];
        let event = build_event(&obj(&[("$hostile", kind.into())]));
        let outcome = get_action_label(&event, &JsValue::UNDEFINED);
        assert!(outcome.is_err() || outcome.unwrap() == "", "{kind}");
        assert_eq!(label(&good), "ok", "the next call works after {kind}");
    }
    assert_eq!(
        wasm_bindgen::externref_heap_live_count(),
        live_before,
        "no JS references leaked"
    );
    assert_eq!(memory_bytes(), memory_before, "Wasm memory did not grow");
}

#[wasm_bindgen_test]
fn hundreds_of_thousands_of_calls_leave_memory_flat() {
    let events: Vec<JsValue> = [
        r#"{"target":{"attrs":{"data-action":"book-appointment"}}}"#,
        r#"{"srcElement":{"dataset":{"action":"cancel-appointment"}}}"#,
        r#"{"currentTarget":{"props":{"data-action":"prop"}}}"#,
        r#"{}"#,
    ]
    .iter()
    .map(|spec| build_event(&js_sys::JSON::parse(spec).unwrap()))
    .collect();
    // The first calls create the cached '' and 'data-action' strings; measure after them.
    events.iter().for_each(|event| drop(label(event)));
    let live_before = wasm_bindgen::externref_heap_live_count();
    let memory_before = memory_bytes();
    for i in 0..300_000 {
        label(&events[i % events.len()]);
    }
    assert_eq!(wasm_bindgen::externref_heap_live_count(), live_before);
    assert_eq!(memory_bytes(), memory_before);
}

fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    get(&memory.buffer(), "byteLength").as_f64().unwrap()
}
