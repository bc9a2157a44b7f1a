/** Code tables: LOINC analytes and vitals (UCUM units), radiology procedures, note types, RxNorm, ICD-10. */
export interface Analyte {
  loinc: string;
  display: string;
  /** UCUM */
  unit: string;
  low: number;
  high: number;
  critLow?: number;
  critHigh?: number;
  decimals: number;
  /** Healthy mean/sd, and how far a sick patient's mean moves (signed, in sd). */
  mean: number;
  sd: number;
  sickShift: number;
}

export const ANALYTES: Readonly<Record<string, Analyte>> = {
  sodium: { loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 135, high: 145, critLow: 120, critHigh: 160, decimals: 0, mean: 140, sd: 2.5, sickShift: -1.5 },
  potassium: { loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 3.5, high: 5.1, critLow: 2.8, critHigh: 6.2, decimals: 1, mean: 4.2, sd: 0.35, sickShift: 1 },
  chloride: { loinc: '2075-0', display: 'Chloride [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 98, high: 107, decimals: 0, mean: 102, sd: 2.5, sickShift: -0.5 },
  creatinine: { loinc: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', unit: 'mg/dL', low: 0.6, high: 1.3, critHigh: 5, decimals: 2, mean: 0.95, sd: 0.18, sickShift: 3 },
  glucose: { loinc: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mg/dL', low: 70, high: 99, critLow: 40, critHigh: 450, decimals: 0, mean: 92, sd: 12, sickShift: 3 },
  hemoglobin: { loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', unit: 'g/dL', low: 12, high: 17.5, critLow: 7, critHigh: 20, decimals: 1, mean: 14, sd: 1.2, sickShift: -2 },
  wbc: { loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', unit: '10*3/uL', low: 4.5, high: 11, critLow: 1.5, critHigh: 30, decimals: 1, mean: 7.2, sd: 1.6, sickShift: 3 },
  platelets: { loinc: '777-3', display: 'Platelets [#/volume] in Blood by Automated count', unit: '10*3/uL', low: 150, high: 400, critLow: 40, critHigh: 1000, decimals: 0, mean: 250, sd: 50, sickShift: -1 },
  lactate: { loinc: '2524-7', display: 'Lactate [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 0.5, high: 2.2, critHigh: 4, decimals: 1, mean: 1.1, sd: 0.3, sickShift: 5 },
  crp: { loinc: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma', unit: 'mg/L', low: 0, high: 10, decimals: 1, mean: 3, sd: 2, sickShift: 25 },
};

export interface Panel {
  code: string;
  display: string;
  analytes: readonly string[];
}

export const PANELS: Readonly<Record<string, Panel>> = {
  bmp: { code: '51990-0', display: 'Basic metabolic panel - Blood', analytes: ['sodium', 'potassium', 'chloride', 'creatinine', 'glucose'] },
  cbc: { code: '58410-2', display: 'CBC panel - Blood by Automated count', analytes: ['hemoglobin', 'wbc', 'platelets'] },
  lactate: { code: '2524-7', display: 'Lactate [Moles/volume] in Serum or Plasma', analytes: ['lactate'] },
  crp: { code: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma', analytes: ['crp'] },
};

export const VITALS = {
  heartRate: { loinc: '8867-4', display: 'Heart rate', unit: '/min' },
  respRate: { loinc: '9279-1', display: 'Respiratory rate', unit: '/min' },
  spo2: { loinc: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', unit: '%' },
  systolic: { loinc: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]' },
  diastolic: { loinc: '8462-4', display: 'Diastolic blood pressure', unit: 'mm[Hg]' },
  temperature: { loinc: '8310-5', display: 'Body temperature', unit: 'Cel' },
  consciousness: { loinc: '67775-7', display: 'Level of responsiveness' },
  /** No LOINC maps cleanly to NEWS2's "on supplemental oxygen" flag, so it is a local code. */
  supplementalO2: { code: 'SUPPO2', system: '99SNW', display: 'On supplemental oxygen' },
} as const;
export const VITALS_PANEL = { code: '8716-3', display: 'Vital signs' } as const;

export interface ImagingProcedure {
  loinc: string;
  display: string;
  modality: 'CR' | 'CT' | 'US' | 'MR';
  region: string;
}

export const IMAGING: readonly ImagingProcedure[] = [
  { loinc: '36643-5', display: 'XR Chest 2 Views', modality: 'CR', region: 'chest' },
  { loinc: '24627-2', display: 'CT Chest', modality: 'CT', region: 'chest' },
  { loinc: '24725-4', display: 'CT Head', modality: 'CT', region: 'head' },
  { loinc: '24558-9', display: 'US Abdomen', modality: 'US', region: 'abdomen' },
  { loinc: '24590-2', display: 'MR Brain', modality: 'MR', region: 'brain' },
];
export const REPORT_FINDINGS_CODE = { code: '18782-3', display: 'Radiology Study observation (narrative)' } as const;
export const REPORT_IMPRESSION_CODE = { code: '19005-8', display: 'Radiology Imaging study [Impression] (narrative)' } as const;

/** TXA-2 (HL7 table 0270) alongside the LOINC document type used in OBX-3 and truth. */
export const NOTE_TYPES = {
  hp: { txa: 'HP', loinc: '34117-2', display: 'History and physical note' },
  progress: { txa: 'PN', loinc: '11506-3', display: 'Progress note' },
  consult: { txa: 'CN', loinc: '11488-4', display: 'Consult note' },
  ed: { txa: 'PN', loinc: '34111-1', display: 'Emergency department Note' },
  discharge: { txa: 'DS', loinc: '18842-5', display: 'Discharge summary' },
} as const;
export type NoteKind = keyof typeof NOTE_TYPES;

/** RxNorm ingredient concepts with a typical order; dose unit in UCUM. */
export interface MedicationDef {
  rxnorm: string;
  name: string;
  dose: number;
  unit: string;
  form: string;
  route: 'PO' | 'IV' | 'SC';
  frequency: string;
}

export const MEDICATIONS: readonly MedicationDef[] = [
  { rxnorm: '161', name: 'acetaminophen', dose: 650, unit: 'mg', form: 'TAB', route: 'PO', frequency: 'Q6H' },
  { rxnorm: '5224', name: 'heparin', dose: 5000, unit: '[iU]', form: 'INJ', route: 'SC', frequency: 'Q8H' },
  { rxnorm: '67108', name: 'enoxaparin', dose: 40, unit: 'mg', form: 'INJ', route: 'SC', frequency: 'Q24H' },
  { rxnorm: '4603', name: 'furosemide', dose: 40, unit: 'mg', form: 'INJ', route: 'IV', frequency: 'Q12H' },
  { rxnorm: '2193', name: 'ceftriaxone', dose: 1, unit: 'g', form: 'INJ', route: 'IV', frequency: 'Q24H' },
  { rxnorm: '11124', name: 'vancomycin', dose: 1250, unit: 'mg', form: 'INJ', route: 'IV', frequency: 'Q12H' },
  { rxnorm: '40790', name: 'pantoprazole', dose: 40, unit: 'mg', form: 'TAB', route: 'PO', frequency: 'Q24H' },
  { rxnorm: '26225', name: 'ondansetron', dose: 4, unit: 'mg', form: 'INJ', route: 'IV', frequency: 'Q8H' },
  { rxnorm: '8591', name: 'potassium chloride', dose: 20, unit: 'meq', form: 'TAB', route: 'PO', frequency: 'Q24H' },
  { rxnorm: '6809', name: 'metformin', dose: 500, unit: 'mg', form: 'TAB', route: 'PO', frequency: 'Q12H' },
  { rxnorm: '29046', name: 'lisinopril', dose: 10, unit: 'mg', form: 'TAB', route: 'PO', frequency: 'Q24H' },
  { rxnorm: '17767', name: 'amlodipine', dose: 5, unit: 'mg', form: 'TAB', route: 'PO', frequency: 'Q24H' },
  { rxnorm: '83367', name: 'atorvastatin', dose: 40, unit: 'mg', form: 'TAB', route: 'PO', frequency: 'Q24H' },
  { rxnorm: '7052', name: 'morphine', dose: 2, unit: 'mg', form: 'INJ', route: 'IV', frequency: 'Q4H' },
];

export const DIAGNOSES = [
  { icd10: 'I10', display: 'Essential (primary) hypertension', chronic: true },
  { icd10: 'E11.9', display: 'Type 2 diabetes mellitus without complications', chronic: true },
  { icd10: 'N18.3', display: 'Chronic kidney disease, stage 3', chronic: true },
  { icd10: 'J44.9', display: 'Chronic obstructive pulmonary disease, unspecified', chronic: true },
  { icd10: 'I50.9', display: 'Heart failure, unspecified', chronic: true },
  { icd10: 'A41.9', display: 'Sepsis, unspecified organism', chronic: false },
  { icd10: 'J18.9', display: 'Pneumonia, unspecified organism', chronic: false },
  { icd10: 'N39.0', display: 'Urinary tract infection, site not specified', chronic: false },
  { icd10: 'N17.9', display: 'Acute kidney failure, unspecified', chronic: false },
  { icd10: 'R07.9', display: 'Chest pain, unspecified', chronic: false },
  { icd10: 'S72.001A', display: 'Fracture of unspecified part of neck of right femur, initial encounter', chronic: false },
  { icd10: 'K35.80', display: 'Unspecified acute appendicitis', chronic: false },
] as const;
export type Diagnosis = (typeof DIAGNOSES)[number];
