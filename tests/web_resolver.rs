//! Browser tests of `resolveAction` and the drop-in on real DOM events, read during dispatch.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use raptor_secondary::web::drop_in::get_action_label;
use raptor_secondary::web::resolve::resolve_action;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, Event, EventInit, EventTarget, ShadowRootInit, ShadowRootMode};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page holding `html`.
fn mount(html: &str) -> Element {
    let host = document().create_element("div").unwrap();
    host.set_inner_html(html);
    document().body().unwrap().append_child(&host).unwrap();
    host
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

/// Dispatches a bubbling, composed `click` at `target`, listens on `listener`, and runs `read`
/// on the event during dispatch (afterwards `currentTarget` and `composedPath()` are empty).
fn during_click<T: 'static>(
    target: &EventTarget,
    listener: &EventTarget,
    read: impl Fn(&Event) -> T + 'static,
) -> T {
    let out: Rc<RefCell<Option<T>>> = Rc::default();
    let sink = out.clone();
    let handler = Closure::<dyn Fn(Event)>::new(move |event: Event| {
        *sink.borrow_mut() = Some(read(&event));
    });
    listener
        .add_event_listener_with_callback("click", handler.as_ref().unchecked_ref())
        .unwrap();
    let init = EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    target
        .dispatch_event(&Event::new_with_event_init_dict("click", &init).unwrap())
        .unwrap();
    listener
        .remove_event_listener_with_callback("click", handler.as_ref().unchecked_ref())
        .unwrap();
    let result = out.borrow_mut().take();
    result.expect("the listener ran")
}

/// The fields of a resolution: (label, source, reason, depth).
fn fields(resolution: &JsValue) -> (String, Option<String>, Option<String>, u32) {
    let get = |k: &str| Reflect::get(resolution, &k.into()).unwrap();
    (
        get("label").as_string().unwrap(),
        get("source").as_string(),
        get("reason").as_string(),
        get("depth").as_f64().unwrap() as u32,
    )
}

fn resolve(event: &Event) -> (String, Option<String>, Option<String>, u32) {
    fields(&resolve_action(event, &JsValue::UNDEFINED).unwrap())
}

fn drop_in(event: &Event) -> JsValue {
    get_action_label(event, &JsValue::UNDEFINED).unwrap()
}

fn ok(label: &str, source: &str, depth: u32) -> (String, Option<String>, Option<String>, u32) {
    (label.into(), Some(source.into()), None, depth)
}

#[wasm_bindgen_test]
fn a_button_click_resolves_in_both_apis() {
    let root = mount(r#"<button data-action="book-appointment">Book</button>"#);
    let button = find(&root, "button");
    assert_eq!(during_click(&button, &button, drop_in), "book-appointment");
    assert_eq!(
        during_click(&button, &button, resolve),
        ok("book-appointment", "target", 0)
    );
}

#[wasm_bindgen_test]
fn an_icon_inside_a_button_resolves_to_the_button_but_the_drop_in_keeps_legacy_behaviour() {
    let root =
        mount(r#"<button data-action="book-appointment"><i class="icon">+</i> Book</button>"#);
    let (button, icon) = (find(&root, "button"), find(&root, "i"));
    assert_eq!(
        during_click(&icon, &button, resolve),
        ok("book-appointment", "target", 1)
    );
    // The legacy helper read only the clicked element; the drop-in must not change that.
    assert_eq!(during_click(&icon, &button, drop_in), "");
}

#[wasm_bindgen_test]
fn a_text_node_target_resolves_through_its_parent() {
    let root = mount(r#"<button data-action="cancel-appointment">Cancel</button>"#);
    let button = find(&root, "button");
    let text = button.first_child().unwrap();
    assert_eq!(
        during_click(&text, &button, resolve),
        ok("cancel-appointment", "target", 0)
    );
}

#[wasm_bindgen_test]
fn svg_elements_resolve() {
    let root = mount(
        r#"<button data-action="svg-book"><svg viewBox="0 0 10 10"><path d="M0 0h10v10z"/></svg></button>
           <svg><g data-action="svg-own"><circle r="4"/></g></svg>"#,
    );
    let path = find(&root, "path");
    assert_eq!(
        during_click(&path, &root, resolve),
        ok("svg-book", "target", 2)
    );
    let circle = find(&root, "circle");
    assert_eq!(
        during_click(&circle, &root, resolve),
        ok("svg-own", "target", 1)
    );
}

#[wasm_bindgen_test]
fn clicks_inside_an_open_shadow_root_resolve_from_the_composed_path() {
    let root = mount(r#"<div class="host" data-action="host-action"></div>"#);
    let host = find(&root, ".host");
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    shadow.set_inner_html(
        r#"<button data-action="inner-book"><span>Book</span></button><p>plain</p>"#,
    );
    let inner = shadow.query_selector("span").unwrap().unwrap();
    let doc: EventTarget = document().into();
    // At the document the target is retargeted to the host; composedPath()[0] is the span.
    assert_eq!(
        during_click(&inner, &doc, resolve),
        ok("inner-book", "composedPath", 1)
    );
    let plain = shadow.query_selector("p").unwrap().unwrap();
    assert_eq!(
        during_click(&plain, &doc, resolve),
        ok("host-action", "composedPath", 1)
    );
}

#[wasm_bindgen_test]
fn clicks_inside_disabled_controls_are_reported_as_disabled() {
    let root = mount(
        r#"<fieldset disabled><button data-action="book"><span>Book</span></button></fieldset>
           <button data-action="pay" disabled>Pay</button>"#,
    );
    let span = find(&root, "fieldset span");
    let (label, _, reason, _) = during_click(&span, &root, resolve);
    assert_eq!((label.as_str(), reason.as_deref()), ("", Some("disabled")));
    let pay = find(&root, "button[disabled]");
    let (label, _, reason, _) = during_click(&pay, &root, resolve);
    assert_eq!((label.as_str(), reason.as_deref()), ("", Some("disabled")));
}

#[wasm_bindgen_test]
fn the_walk_stops_at_the_listening_element_or_the_given_root() {
    let root = mount(r#"<div data-action="outer"><section><span>x</span></section></div>"#);
    let (section, span) = (find(&root, "section"), find(&root, "span"));
    let (label, _, reason, _) = during_click(&span, &section, resolve);
    assert_eq!(
        (label.as_str(), reason.as_deref()),
        ("", Some("attribute_missing"))
    );
    let options: JsValue = Object::new().into();
    Reflect::set(&options, &"root".into(), &root).unwrap();
    let resolution = during_click(&span, &section, move |e| {
        fields(&resolve_action(e, &options).unwrap())
    });
    assert_eq!(resolution, ok("outer", "target", 2));
}

#[wasm_bindgen_test]
fn an_event_read_after_dispatch_still_resolves_from_its_target() {
    let root = mount(r#"<button data-action="later">Later</button>"#);
    let button = find(&root, "button");
    let event = during_click(&button, &button, |e| e.clone());
    assert!(
        event.current_target().is_none(),
        "the browser cleared currentTarget"
    );
    assert_eq!(resolve(&event), ok("later", "target", 0));
    assert_eq!(drop_in(&event), "later");
}

#[wasm_bindgen_test]
fn every_empty_result_says_why() {
    let root = mount(r#"<button data-action="">Empty</button><div><span>none</span></div>"#);
    let reason =
        |event: &JsValue, options: &JsValue| fields(&resolve_action(event, options).unwrap()).2;
    let none = JsValue::UNDEFINED;
    assert_eq!(reason(&JsValue::NULL, &none).as_deref(), Some("no_event"));
    assert_eq!(reason(&Object::new(), &none).as_deref(), Some("no_element"));
    let on_document = Object::new();
    Reflect::set(&on_document, &"target".into(), &document()).unwrap();
    assert_eq!(
        reason(&on_document, &none).as_deref(),
        Some("not_an_element")
    );
    let empty = find(&root, "button");
    assert_eq!(
        during_click(&empty, &empty, resolve).2.as_deref(),
        Some("attribute_empty")
    );
    let span = find(&root, "span");
    let shallow = Object::new();
    Reflect::set(&shallow, &"maxDepth".into(), &0.into()).unwrap();
    let shallow: JsValue = shallow.into();
    assert_eq!(
        during_click(&span, &root, move |e| reason(e, &shallow)).as_deref(),
        Some("depth_limit")
    );
    let hostile =
        js_sys::Function::new_no_args("return { get target() { throw new Error('boom'); } }")
            .call0(&JsValue::NULL)
            .unwrap();
    assert_eq!(reason(&hostile, &none).as_deref(), Some("read_failed"));
    // The resolver recovered: the next call works.
    assert_eq!(
        during_click(&empty, &root, resolve).2.as_deref(),
        Some("attribute_empty")
    );
}

#[wasm_bindgen_test]
fn invalid_options_throw_a_coded_error() {
    for bad in [
        r#"{"maxDepth": -1}"#,
        r#"{"maxDepth": "3"}"#,
        r#"{"attribute": ""}"#,
        r#"{"attribute": 5}"#,
        r#""nope""#,
    ] {
        let options = js_sys::JSON::parse(bad).unwrap();
        let error =
            raptor_secondary::Error::from(resolve_action(&JsValue::NULL, &options).unwrap_err());
        assert_eq!(error.code.as_str(), "invalid_options", "{bad}");
    }
}

#[wasm_bindgen_test]
fn a_custom_attribute_is_read_from_dataset_only_objects() {
    let event =
        js_sys::JSON::parse(r#"{"srcElement":{"dataset":{"appointmentId":"apt-1"}}}"#).unwrap();
    let options = js_sys::JSON::parse(r#"{"attribute":"data-appointment-id"}"#).unwrap();
    assert_eq!(
        fields(&resolve_action(&event, &options).unwrap()),
        ok("apt-1", "srcElement", 0)
    );
}
