/**
 * Places a question may name: countries, the EU, US states and big cities (not the United States
 * itself, the stories' default, nor names that are often something else: Washington, Georgia, Turkey). A place is part of
 * what a question asks ("did the UK fine TikTok…" is not the Irish fine), so an answer must come
 * from a deal that speaks of it.
 */
import { termsOfWord, words } from "./text.js";

const NAMES = `
europe european eu canada canadian mexico brazil argentina chile colombia peru
britain british uk england scotland wales ireland irish france french germany german italy italian
spain spanish portugal portuguese netherlands dutch belgium belgian switzerland swiss austria austrian
sweden swedish norway norwegian denmark danish finland finnish iceland poland polish czech hungary
romania greece greek russia russian ukraine ukrainian israel israeli iran saudi emirates
uae qatar egypt nigeria kenya india indian pakistan bangladesh china chinese japan japanese korea korean
taiwan singapore malaysia indonesia philippines vietnam thailand australia australian zealand
alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho
illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota
mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah
vermont virginia wisconsin wyoming
london paris berlin dublin brussels tokyo beijing shanghai moscow toronto sydney
`;

/** The index terms of every place name. */
const PLACES: ReadonlySet<string> = new Set(words(NAMES).flatMap(termsOfWord));

/** The places among a question's terms. */
export function placesIn(terms: readonly string[]): string[] {
  return terms.filter((term) => PLACES.has(term));
}

/** Whether an index term is a place's name. */
export function isPlace(term: string): boolean {
  return PLACES.has(term);
}
