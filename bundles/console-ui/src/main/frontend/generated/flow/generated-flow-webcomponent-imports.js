import { injectGlobalWebcomponentCss } from 'Frontend/generated/jar-resources/theme-util.js';

import '@vaadin/vertical-layout/src/vaadin-vertical-layout.js';
import '@vaadin/login/src/vaadin-login-form.js';
import '@vaadin/app-layout/src/vaadin-app-layout.js';
import '@vaadin/side-nav/src/vaadin-side-nav.js';
import '@vaadin/side-nav/src/vaadin-side-nav-item.js';
import '@vaadin/tooltip/src/vaadin-tooltip.js';
import '@vaadin/button/src/vaadin-button.js';
import 'Frontend/generated/jar-resources/disableOnClickFunctions.js';
import '@vaadin/horizontal-layout/src/vaadin-horizontal-layout.js';
import '@vaadin/app-layout/src/vaadin-drawer-toggle.js';
import '@vaadin/common-frontend/ConnectionIndicator.js';
import 'Frontend/generated/jar-resources/ReactRouterOutletElement.tsx';

const loadOnDemand = (key) => {
  const pending = [];
  if (key === 'b15150797ed88d95dbb28ef4bccbfe54fb8f095c1346ad8c0cf2f677f2fc599b') {
    pending.push(import('./chunks/chunk-cf051671f155b4c9dd1cb276302753b0df9bf6a4ed74c6a971ea5e7e9cb6cd67.js'));
  }
  if (key === 'e648aba44c3db8e3a9c664596f0857367b0b0523eec632a2614492ddf7b9ad03') {
    pending.push(import('./chunks/chunk-6c361ed19b0636d1cf4cc68431b374423256ce543b472bef3f4a247b0158f39c.js'));
  }
  if (key === '4c62a6e42355a0441d6efe46ee34bd6850de25ff65e7c70aa5a3b810e8faff54') {
    pending.push(import('./chunks/chunk-cf051671f155b4c9dd1cb276302753b0df9bf6a4ed74c6a971ea5e7e9cb6cd67.js'));
  }
  if (key === '07cb78a5b2a1deeaa15582516aa39f31d2e29537c96adb407398e4ad8139f878') {
    pending.push(import('./chunks/chunk-fb28f7bec1adeb949b0265d6bf0749705932afc38968fd7197ac135320ee2eab.js'));
  }
  if (key === 'a37ec94186b0f0173d9b08d68531b639c9b28e6e75288b17496a3412c5a6b049') {
    pending.push(import('./chunks/chunk-cf051671f155b4c9dd1cb276302753b0df9bf6a4ed74c6a971ea5e7e9cb6cd67.js'));
  }
  return Promise.all(pending);
}
window.Vaadin = window.Vaadin || {};
window.Vaadin.Flow = window.Vaadin.Flow || {};
window.Vaadin.Flow.loadOnDemand = loadOnDemand;
window.Vaadin.Flow.resetFocus = () => {
 let ae=document.activeElement;
 while(ae&&ae.shadowRoot) ae = ae.shadowRoot.activeElement;
 return !ae || ae.blur() || ae.focus() || true;
}