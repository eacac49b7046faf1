/**
 * Who makes which kind of display, as data: a prior the classifier weighs after the display's own signals
 * (size, touch, CTA-861), never instead of them. A maker is found by a name in the EDID/OS text first
 * (a panel's PNP id is often its scaler's: Optoma projectors with Sony ids, Seewo panels with MStar ids),
 * then by PNP id (UEFI PNP registry). Ids shared by unrelated makers are settled by `collisions`.
 *
 * `kind` is what the maker's displays are unless a model pattern says otherwise; `mixed` makers need a
 * pattern (BenQ and Acer make far more desk monitors than projectors).
 */

export type MakerKind = 'projector' | 'interactive-panel' | 'tv' | 'panel-maker' | 'scaler' | 'mixed';

export type DisplayMaker = {
  name: string;
  kind: MakerKind;
  pnpIds: readonly string[];
  /** Matched against the vendor and model text, case-insensitive. */
  names?: RegExp;
  projectorModels?: RegExp;
  panelModels?: RegExp;
  /** TVs and large-format signage among a mixed maker's models. */
  largeModels?: RegExp;
};

export const displayMakers: readonly DisplayMaker[] = [
  // Projector makers.
  { name: 'Epson', kind: 'projector', pnpIds: ['SEC'], names: /epson/i },
  { name: 'Optoma', kind: 'projector', pnpIds: ['OTM', 'OPT'], names: /optoma/i, panelModels: /creative ?touch/i },
  { name: 'Casio', kind: 'projector', pnpIds: ['CAS'], names: /casio/i },
  { name: 'InFocus', kind: 'projector', pnpIds: ['IFS'], names: /infocus/i, panelModels: /mondopad/i },
  { name: 'Vivitek', kind: 'projector', pnpIds: ['DPC'], names: /vivitek|qumi/i },
  { name: 'Christie', kind: 'projector', pnpIds: ['CDG'], names: /christie/i },
  { name: 'Maxell', kind: 'projector', pnpIds: ['MXL'], names: /maxell/i },
  { name: 'XGIMI 极米', kind: 'projector', pnpIds: ['XGM', 'XGI'], names: /xgimi|极米/i },
  { name: 'JMGO 坚果', kind: 'projector', pnpIds: ['JMG'], names: /jmgo|坚果/i },
  { name: 'ViewSonic projectors', kind: 'projector', pnpIds: ['HCD'] },
  // Makers of several kinds: a model pattern decides, the display's own signals otherwise.
  {
    name: 'BenQ',
    kind: 'mixed',
    pnpIds: ['BNQ'],
    names: /benq/i,
    projectorModels: /\b(M[SXWHP]\d{3}|T[HK]\d{3}|LU\d{3}|LK\d{3}|HT\d{4}|W\d{4}|PE\d{4}|PJ)/i,
    panelModels: /\bR[PME]\d{3,4}/i,
  },
  {
    name: 'ViewSonic',
    kind: 'mixed',
    pnpIds: ['VSC'],
    names: /viewsonic/i,
    projectorModels: /\b(PJD?\d*|PA\d|PS\d|PX\d|LS\d|PG\d)/i,
    panelModels: /\b(IFP\d|viewboard)/i,
  },
  {
    name: 'NEC',
    kind: 'mixed',
    pnpIds: ['NEC'],
    names: /\bnec\b/i,
    projectorModels: /\bNP-?/i,
    largeModels: /^([VPXC]\d{3}|LCD[4-9]\d{3})$/i,
  },
  { name: 'Sony', kind: 'mixed', pnpIds: ['SNY', 'SON'], names: /\bsony\b/i, projectorModels: /\b(VPL|MP-CD)/i },
  {
    name: 'Panasonic',
    kind: 'mixed',
    pnpIds: ['MEI', 'MAT'],
    names: /panasonic/i,
    projectorModels: /\b(PT-?[A-Z]|A[EX]-\d)/i,
  },
  { name: 'Acer', kind: 'mixed', pnpIds: ['ACR', 'CHE'], names: /\bacer\b/i, projectorModels: /\b([PXHUVD]\d{4}|PJ)/i },
  {
    name: 'Dell',
    kind: 'mixed',
    pnpIds: ['DEL'],
    names: /\bdell\b/i,
    projectorModels: /\b(M\d{3}(X|HD|WX)|\d{4}MP)\b/i,
  },
  { name: 'Ricoh', kind: 'mixed', pnpIds: ['RIC'], names: /ricoh/i, projectorModels: /PJ/i },
  {
    name: 'LG',
    kind: 'mixed',
    pnpIds: ['GSM'],
    names: /\blg\b/i,
    projectorModels: /projector|PJTR|cinebeam|\b(PF|HU|PH|PW)\d{2,}/i,
  },
  {
    name: 'Mitsubishi',
    kind: 'mixed',
    pnpIds: ['MEL'],
    names: /mitsubishi/i,
    projectorModels: /\b(EX|EW|XD|WD|HC|GX|GW|SD|UD|LVP)-?\d{3}/i,
  },
  {
    name: 'Hitachi',
    kind: 'mixed',
    pnpIds: ['HTC'],
    names: /hitachi/i,
    projectorModels: /projector|\bCP-?[A-Z]{1,2}\d/i,
  },
  {
    name: 'SMART',
    kind: 'interactive-panel',
    pnpIds: ['SBI'],
    names: /smart ?(board|technologies)|\bsbid/i,
    projectorModels: /\b(UF\d+|lightraise)/i,
  },
  {
    name: 'Sharp',
    kind: 'mixed',
    pnpIds: ['SHP'],
    names: /\bsharp\b/i,
    panelModels: /\bPN-?(L\d|C\d|\d{2}T[AC]|\d{2}HC)/i,
    largeModels: /\bPN-?(H|E|R|M|V|B|Q|P|UH|HB|HW|LE|ME)\d|\bLC-?\d{2}/i,
  },
  // Interactive flat panels (交互式智能平板) common in classrooms; OPS PCs sit inside them.
  // Seewo and MAXHUB are CVTE brands with no PNP id of their own: their scalers report other ids, so names decide.
  { name: 'Seewo 希沃', kind: 'interactive-panel', pnpIds: [], names: /seewo|希沃/i },
  { name: 'MAXHUB', kind: 'interactive-panel', pnpIds: [], names: /maxhub/i },
  { name: 'Hitevision 鸿合', kind: 'interactive-panel', pnpIds: ['HHT'], names: /hite ?vision|honghe|鸿合/i },
  { name: 'Newline', kind: 'interactive-panel', pnpIds: ['NWL', 'NLE'], names: /newline/i },
  {
    name: 'Promethean',
    kind: 'interactive-panel',
    pnpIds: ['PRW'],
    names: /promethean|activ ?panel|\bAP\d{1,2}[_ -]?[A-Z]/i,
  },
  { name: 'Boxlight', kind: 'interactive-panel', pnpIds: ['BXL'], names: /boxlight|procolor|mimio/i },
  { name: 'DTEN', kind: 'interactive-panel', pnpIds: ['DTB', 'DTN'], names: /\bdten\b/i },
  { name: 'interactive whiteboard', kind: 'interactive-panel', pnpIds: ['IWB'] },
  // TV makers: their screens are large displays unless a model says otherwise.
  { name: 'Hisense 海信', kind: 'tv', pnpIds: ['HEC', 'HSE', 'HIS'], names: /hisense|海信/i },
  { name: 'TCL', kind: 'tv', pnpIds: ['TCL', 'TMN'], names: /\btcl\b/i },
  { name: 'Xiaomi 小米', kind: 'tv', pnpIds: ['XMD', 'XMI'], names: /xiaomi|\bmi tv/i },
  { name: 'Vizio', kind: 'tv', pnpIds: ['VIZ'], names: /vizio/i },
  { name: 'Skyworth 创维', kind: 'tv', pnpIds: ['SKY', 'SKW'], names: /skyworth|coocaa|创维/i },
  { name: 'Haier 海尔', kind: 'tv', pnpIds: ['HRE'], names: /haier|海尔/i },
  { name: 'Changhong 长虹', kind: 'tv', pnpIds: ['CHH'], names: /changhong|长虹/i },
  { name: 'Konka 康佳', kind: 'tv', pnpIds: ['KON'], names: /konka|康佳/i },
  { name: 'Funai', kind: 'tv', pnpIds: ['FNI'], names: /funai|magnavox|sylvania/i },
  // Makers of laptop panels: a display of theirs without a model name or range limits is a laptop's own screen.
  {
    name: 'laptop panel makers',
    kind: 'panel-maker',
    pnpIds: [
      'AUO',
      'BOE',
      'LGD',
      'LPL',
      'CMN',
      'CMO',
      'SDC',
      'IVO',
      'CSO',
      'CSW',
      'HSD',
      'CPT',
      'INX',
      'NCP',
      'KDB',
      'TMA',
      'STA',
      'QDS',
      'JDI',
      'APP',
      'SHP',
      'SEC',
    ],
  },
  // Scaler chips and board makers whose ids and names say nothing of the screen behind them.
  {
    name: 'generic scalers',
    kind: 'scaler',
    pnpIds: ['MST', 'MSD', 'RTK', 'CVT', 'MTC', 'SZM', 'NLK', 'GDH', 'CHO', 'AAA', 'XXX', 'ROW', 'TXD', 'FHD'],
  },
];

/** Names a scaler's firmware gives whatever screen it drives: no maker, no model (CVTE TV, MStar Demo, HDMI). */
export const genericScalerNames =
  /^(cvte tv|mstar demo|mst demo|hdmi\d?|dvi|dp|vga|tv|led tv|lcd tv|digital tv|smart ?tv|tv_monitor|rtk [fu]hd hdr|monitor|aaa|display|lcd)$/i;
/** Words that mark a projector, a touch panel or a TV whatever the maker, e.g. Windows' "Generic PnP projector". */
export const genericProjectorWords = /projector|beamer|投影|\bPJ\b|-PJ\b|_PJ\b/i;
export const genericPanelWords = /interactive|whiteboard|白板|智能平板|一体机|\bIFP\b|activ ?panel|viewboard/i;
export const genericLargeWords = /\b(TV|FTV|HDTV|DTV|signage)\b|-TV\b|_TV\b|TV\d?$|电视/i;
/** A name that is only a TV maker's brand ("SAMSUNG", "SHARP HDMI"): what TV firmware writes; monitors carry a model. */
export const brandOnlyNames =
  /^(samsung|philips|sharp( hdmi)?|hisense|toshiba|sony|lg|panasonic|haier|tcl|skyworth|konka|changhong)$/i;
