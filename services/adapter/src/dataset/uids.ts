/**
 * SOP class UIDs, PS3.4 and PS3.6 Annex A: the Storage SOP classes of PS3.4 Annex B (non-retired,
 * keyword / UID / name; list cross-checked against DCMTK 3.6.7's dictionary via dcmdump), the
 * Query/Retrieve, Worklist, MPPS, Storage Commitment and Print classes, and `sopClassName` for span names.
 */

/** [PS3.6 keyword, UID, name] for every non-retired Storage SOP class (PS3.4 Table B.5-1). */
const STORAGE: readonly (readonly [string, string, string])[] = [
  ['ComputedRadiographyImageStorage', '1.2.840.10008.5.1.4.1.1.1', 'Computed Radiography Image Storage'],
  [
    'DigitalXRayImageStorageForPresentation',
    '1.2.840.10008.5.1.4.1.1.1.1',
    'Digital X-Ray Image Storage - For Presentation',
  ],
  [
    'DigitalXRayImageStorageForProcessing',
    '1.2.840.10008.5.1.4.1.1.1.1.1',
    'Digital X-Ray Image Storage - For Processing',
  ],
  [
    'DigitalMammographyXRayImageStorageForPresentation',
    '1.2.840.10008.5.1.4.1.1.1.2',
    'Digital Mammography X-Ray Image Storage - For Presentation',
  ],
  [
    'DigitalMammographyXRayImageStorageForProcessing',
    '1.2.840.10008.5.1.4.1.1.1.2.1',
    'Digital Mammography X-Ray Image Storage - For Processing',
  ],
  [
    'DigitalIntraOralXRayImageStorageForPresentation',
    '1.2.840.10008.5.1.4.1.1.1.3',
    'Digital Intra-Oral X-Ray Image Storage - For Presentation',
  ],
  [
    'DigitalIntraOralXRayImageStorageForProcessing',
    '1.2.840.10008.5.1.4.1.1.1.3.1',
    'Digital Intra-Oral X-Ray Image Storage - For Processing',
  ],
  ['EncapsulatedPDFStorage', '1.2.840.10008.5.1.4.1.1.104.1', 'Encapsulated PDF Storage'],
  ['EncapsulatedCDAStorage', '1.2.840.10008.5.1.4.1.1.104.2', 'Encapsulated CDA Storage'],
  ['EncapsulatedSTLStorage', '1.2.840.10008.5.1.4.1.1.104.3', 'Encapsulated STL Storage'],
  ['EncapsulatedOBJStorage', '1.2.840.10008.5.1.4.1.1.104.4', 'Encapsulated OBJ Storage'],
  ['EncapsulatedMTLStorage', '1.2.840.10008.5.1.4.1.1.104.5', 'Encapsulated MTL Storage'],
  [
    'GrayscaleSoftcopyPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.1',
    'Grayscale Softcopy Presentation State Storage',
  ],
  [
    'SegmentedVolumeRenderingVolumetricPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.10',
    'Segmented Volume Rendering Volumetric Presentation State Storage',
  ],
  [
    'MultipleVolumeRenderingVolumetricPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.11',
    'Multiple Volume Rendering Volumetric Presentation State Storage',
  ],
  [
    'ColorSoftcopyPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.2',
    'Color Softcopy Presentation State Storage',
  ],
  [
    'PseudoColorSoftcopyPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.3',
    'Pseudo-Color Softcopy Presentation State Storage',
  ],
  [
    'BlendingSoftcopyPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.4',
    'Blending Softcopy Presentation State Storage',
  ],
  [
    'XAXRFGrayscaleSoftcopyPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.5',
    'XA/XRF Grayscale Softcopy Presentation State Storage',
  ],
  [
    'GrayscalePlanarMPRVolumetricPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.6',
    'Grayscale Planar MPR Volumetric Presentation State Storage',
  ],
  [
    'CompositingPlanarMPRVolumetricPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.7',
    'Compositing Planar MPR Volumetric Presentation State Storage',
  ],
  [
    'AdvancedBlendingPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.8',
    'Advanced Blending Presentation State Storage',
  ],
  [
    'VolumeRenderingVolumetricPresentationStateStorage',
    '1.2.840.10008.5.1.4.1.1.11.9',
    'Volume Rendering Volumetric Presentation State Storage',
  ],
  ['XRayAngiographicImageStorage', '1.2.840.10008.5.1.4.1.1.12.1', 'X-Ray Angiographic Image Storage'],
  ['EnhancedXAImageStorage', '1.2.840.10008.5.1.4.1.1.12.1.1', 'Enhanced XA Image Storage'],
  [
    'XRayRadiofluoroscopicImageStorage',
    '1.2.840.10008.5.1.4.1.1.12.2',
    'X-Ray Radiofluoroscopic Image Storage',
  ],
  ['EnhancedXRFImageStorage', '1.2.840.10008.5.1.4.1.1.12.2.1', 'Enhanced XRF Image Storage'],
  [
    'PositronEmissionTomographyImageStorage',
    '1.2.840.10008.5.1.4.1.1.128',
    'Positron Emission Tomography Image Storage',
  ],
  [
    'LegacyConvertedEnhancedPETImageStorage',
    '1.2.840.10008.5.1.4.1.1.128.1',
    'Legacy Converted Enhanced PET Image Storage',
  ],
  ['XRay3DAngiographicImageStorage', '1.2.840.10008.5.1.4.1.1.13.1.1', 'X-Ray 3D Angiographic Image Storage'],
  ['XRay3DCraniofacialImageStorage', '1.2.840.10008.5.1.4.1.1.13.1.2', 'X-Ray 3D Craniofacial Image Storage'],
  ['BreastTomosynthesisImageStorage', '1.2.840.10008.5.1.4.1.1.13.1.3', 'Breast Tomosynthesis Image Storage'],
  [
    'BreastProjectionXRayImageStorageForPresentation',
    '1.2.840.10008.5.1.4.1.1.13.1.4',
    'Breast Projection X-Ray Image Storage - For Presentation',
  ],
  [
    'BreastProjectionXRayImageStorageForProcessing',
    '1.2.840.10008.5.1.4.1.1.13.1.5',
    'Breast Projection X-Ray Image Storage - For Processing',
  ],
  ['EnhancedPETImageStorage', '1.2.840.10008.5.1.4.1.1.130', 'Enhanced PET Image Storage'],
  ['BasicStructuredDisplayStorage', '1.2.840.10008.5.1.4.1.1.131', 'Basic Structured Display Storage'],
  [
    'IntravascularOpticalCoherenceTomographyImageStorageForPresentation',
    '1.2.840.10008.5.1.4.1.1.14.1',
    'Intravascular Optical Coherence Tomography Image Storage - For Presentation',
  ],
  [
    'IntravascularOpticalCoherenceTomographyImageStorageForProcessing',
    '1.2.840.10008.5.1.4.1.1.14.2',
    'Intravascular Optical Coherence Tomography Image Storage - For Processing',
  ],
  ['CTImageStorage', '1.2.840.10008.5.1.4.1.1.2', 'CT Image Storage'],
  ['EnhancedCTImageStorage', '1.2.840.10008.5.1.4.1.1.2.1', 'Enhanced CT Image Storage'],
  [
    'LegacyConvertedEnhancedCTImageStorage',
    '1.2.840.10008.5.1.4.1.1.2.2',
    'Legacy Converted Enhanced CT Image Storage',
  ],
  ['NuclearMedicineImageStorage', '1.2.840.10008.5.1.4.1.1.20', 'Nuclear Medicine Image Storage'],
  [
    'CTDefinedProcedureProtocolStorage',
    '1.2.840.10008.5.1.4.1.1.200.1',
    'CT Defined Procedure Protocol Storage',
  ],
  [
    'CTPerformedProcedureProtocolStorage',
    '1.2.840.10008.5.1.4.1.1.200.2',
    'CT Performed Procedure Protocol Storage',
  ],
  ['ProtocolApprovalStorage', '1.2.840.10008.5.1.4.1.1.200.3', 'Protocol Approval Storage'],
  [
    'XADefinedProcedureProtocolStorage',
    '1.2.840.10008.5.1.4.1.1.200.7',
    'XA Defined Procedure Protocol Storage',
  ],
  [
    'XAPerformedProcedureProtocolStorage',
    '1.2.840.10008.5.1.4.1.1.200.8',
    'XA Performed Procedure Protocol Storage',
  ],
  ['UltrasoundMultiframeImageStorage', '1.2.840.10008.5.1.4.1.1.3.1', 'Ultrasound Multi-frame Image Storage'],
  ['ParametricMapStorage', '1.2.840.10008.5.1.4.1.1.30', 'Parametric Map Storage'],
  ['MRImageStorage', '1.2.840.10008.5.1.4.1.1.4', 'MR Image Storage'],
  ['EnhancedMRImageStorage', '1.2.840.10008.5.1.4.1.1.4.1', 'Enhanced MR Image Storage'],
  ['MRSpectroscopyStorage', '1.2.840.10008.5.1.4.1.1.4.2', 'MR Spectroscopy Storage'],
  ['EnhancedMRColorImageStorage', '1.2.840.10008.5.1.4.1.1.4.3', 'Enhanced MR Color Image Storage'],
  [
    'LegacyConvertedEnhancedMRImageStorage',
    '1.2.840.10008.5.1.4.1.1.4.4',
    'Legacy Converted Enhanced MR Image Storage',
  ],
  ['RTImageStorage', '1.2.840.10008.5.1.4.1.1.481.1', 'RT Image Storage'],
  ['RTPhysicianIntentStorage', '1.2.840.10008.5.1.4.1.1.481.10', 'RT Physician Intent Storage'],
  ['RTSegmentAnnotationStorage', '1.2.840.10008.5.1.4.1.1.481.11', 'RT Segment Annotation Storage'],
  ['RTRadiationSetStorage', '1.2.840.10008.5.1.4.1.1.481.12', 'RT Radiation Set Storage'],
  [
    'CArmPhotonElectronRadiationStorage',
    '1.2.840.10008.5.1.4.1.1.481.13',
    'C-Arm Photon Electron Radiation Storage',
  ],
  ['TomotherapeuticRadiationStorage', '1.2.840.10008.5.1.4.1.1.481.14', 'Tomotherapeutic Radiation Storage'],
  ['RoboticArmRadiationStorage', '1.2.840.10008.5.1.4.1.1.481.15', 'Robotic Arm Radiation Storage'],
  ['RTRadiationRecordSetStorage', '1.2.840.10008.5.1.4.1.1.481.16', 'RT Radiation Record Set Storage'],
  [
    'RTRadiationSalvageRecordStorage',
    '1.2.840.10008.5.1.4.1.1.481.17',
    'RT Radiation Salvage Record Storage',
  ],
  [
    'TomotherapeuticRadiationRecordStorage',
    '1.2.840.10008.5.1.4.1.1.481.18',
    'Tomotherapeutic Radiation Record Storage',
  ],
  [
    'CArmPhotonElectronRadiationRecordStorage',
    '1.2.840.10008.5.1.4.1.1.481.19',
    'C-Arm Photon Electron Radiation Record Storage',
  ],
  ['RTDoseStorage', '1.2.840.10008.5.1.4.1.1.481.2', 'RT Dose Storage'],
  ['RoboticRadiationRecordStorage', '1.2.840.10008.5.1.4.1.1.481.20', 'Robotic Radiation Record Storage'],
  [
    'RTRadiationSetDeliveryInstructionStorage',
    '1.2.840.10008.5.1.4.1.1.481.21',
    'RT Radiation Set Delivery Instruction Storage',
  ],
  ['RTTreatmentPreparationStorage', '1.2.840.10008.5.1.4.1.1.481.22', 'RT Treatment Preparation Storage'],
  ['RTStructureSetStorage', '1.2.840.10008.5.1.4.1.1.481.3', 'RT Structure Set Storage'],
  ['RTBeamsTreatmentRecordStorage', '1.2.840.10008.5.1.4.1.1.481.4', 'RT Beams Treatment Record Storage'],
  ['RTPlanStorage', '1.2.840.10008.5.1.4.1.1.481.5', 'RT Plan Storage'],
  ['RTBrachyTreatmentRecordStorage', '1.2.840.10008.5.1.4.1.1.481.6', 'RT Brachy Treatment Record Storage'],
  ['RTTreatmentSummaryRecordStorage', '1.2.840.10008.5.1.4.1.1.481.7', 'RT Treatment Summary Record Storage'],
  ['RTIonPlanStorage', '1.2.840.10008.5.1.4.1.1.481.8', 'RT Ion Plan Storage'],
  [
    'RTIonBeamsTreatmentRecordStorage',
    '1.2.840.10008.5.1.4.1.1.481.9',
    'RT Ion Beams Treatment Record Storage',
  ],
  ['UltrasoundImageStorage', '1.2.840.10008.5.1.4.1.1.6.1', 'Ultrasound Image Storage'],
  ['EnhancedUSVolumeStorage', '1.2.840.10008.5.1.4.1.1.6.2', 'Enhanced US Volume Storage'],
  ['RawDataStorage', '1.2.840.10008.5.1.4.1.1.66', 'Raw Data Storage'],
  ['SpatialRegistrationStorage', '1.2.840.10008.5.1.4.1.1.66.1', 'Spatial Registration Storage'],
  ['SpatialFiducialsStorage', '1.2.840.10008.5.1.4.1.1.66.2', 'Spatial Fiducials Storage'],
  [
    'DeformableSpatialRegistrationStorage',
    '1.2.840.10008.5.1.4.1.1.66.3',
    'Deformable Spatial Registration Storage',
  ],
  ['SegmentationStorage', '1.2.840.10008.5.1.4.1.1.66.4', 'Segmentation Storage'],
  ['SurfaceSegmentationStorage', '1.2.840.10008.5.1.4.1.1.66.5', 'Surface Segmentation Storage'],
  ['TractographyResultsStorage', '1.2.840.10008.5.1.4.1.1.66.6', 'Tractography Results Storage'],
  ['RealWorldValueMappingStorage', '1.2.840.10008.5.1.4.1.1.67', 'Real World Value Mapping Storage'],
  ['SurfaceScanMeshStorage', '1.2.840.10008.5.1.4.1.1.68.1', 'Surface Scan Mesh Storage'],
  ['SurfaceScanPointCloudStorage', '1.2.840.10008.5.1.4.1.1.68.2', 'Surface Scan Point Cloud Storage'],
  ['SecondaryCaptureImageStorage', '1.2.840.10008.5.1.4.1.1.7', 'Secondary Capture Image Storage'],
  [
    'MultiframeSingleBitSecondaryCaptureImageStorage',
    '1.2.840.10008.5.1.4.1.1.7.1',
    'Multi-frame Single Bit Secondary Capture Image Storage',
  ],
  [
    'MultiframeGrayscaleByteSecondaryCaptureImageStorage',
    '1.2.840.10008.5.1.4.1.1.7.2',
    'Multi-frame Grayscale Byte Secondary Capture Image Storage',
  ],
  [
    'MultiframeGrayscaleWordSecondaryCaptureImageStorage',
    '1.2.840.10008.5.1.4.1.1.7.3',
    'Multi-frame Grayscale Word Secondary Capture Image Storage',
  ],
  [
    'MultiframeTrueColorSecondaryCaptureImageStorage',
    '1.2.840.10008.5.1.4.1.1.7.4',
    'Multi-frame True Color Secondary Capture Image Storage',
  ],
  ['VLEndoscopicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.1', 'VL Endoscopic Image Storage'],
  ['VideoEndoscopicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.1.1', 'Video Endoscopic Image Storage'],
  ['VLMicroscopicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.2', 'VL Microscopic Image Storage'],
  ['VideoMicroscopicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.2.1', 'Video Microscopic Image Storage'],
  [
    'VLSlideCoordinatesMicroscopicImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.3',
    'VL Slide Coordinates Microscopic Image Storage',
  ],
  ['VLPhotographicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.4', 'VL Photographic Image Storage'],
  ['VideoPhotographicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.4.1', 'Video Photographic Image Storage'],
  [
    'OphthalmicPhotography8BitImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.1',
    'Ophthalmic Photography 8 Bit Image Storage',
  ],
  [
    'OphthalmicPhotography16BitImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.2',
    'Ophthalmic Photography 16 Bit Image Storage',
  ],
  [
    'StereometricRelationshipStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.3',
    'Stereometric Relationship Storage',
  ],
  [
    'OphthalmicTomographyImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.4',
    'Ophthalmic Tomography Image Storage',
  ],
  [
    'WideFieldOphthalmicPhotographyStereographicProjectionImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.5',
    'Wide Field Ophthalmic Photography Stereographic Projection Image Storage',
  ],
  [
    'WideFieldOphthalmicPhotography3DCoordinatesImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.6',
    'Wide Field Ophthalmic Photography 3D Coordinates Image Storage',
  ],
  [
    'OphthalmicOpticalCoherenceTomographyEnFaceImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.7',
    'Ophthalmic Optical Coherence Tomography En Face Image Storage',
  ],
  [
    'OphthalmicOpticalCoherenceTomographyB-scanVolumeAnalysisStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.5.8',
    'Ophthalmic Optical Coherence Tomography Bscan Volume Analysis Storage',
  ],
  [
    'VLWholeSlideMicroscopyImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.6',
    'VL Whole Slide Microscopy Image Storage',
  ],
  [
    'DermoscopicPhotographyImageStorage',
    '1.2.840.10008.5.1.4.1.1.77.1.7',
    'Dermoscopic Photography Image Storage',
  ],
  ['LensometryMeasurementsStorage', '1.2.840.10008.5.1.4.1.1.78.1', 'Lensometry Measurements Storage'],
  [
    'AutorefractionMeasurementsStorage',
    '1.2.840.10008.5.1.4.1.1.78.2',
    'Autorefraction Measurements Storage',
  ],
  ['KeratometryMeasurementsStorage', '1.2.840.10008.5.1.4.1.1.78.3', 'Keratometry Measurements Storage'],
  [
    'SubjectiveRefractionMeasurementsStorage',
    '1.2.840.10008.5.1.4.1.1.78.4',
    'Subjective Refraction Measurements Storage',
  ],
  ['VisualAcuityMeasurementsStorage', '1.2.840.10008.5.1.4.1.1.78.5', 'Visual Acuity Measurements Storage'],
  [
    'SpectaclePrescriptionReportStorage',
    '1.2.840.10008.5.1.4.1.1.78.6',
    'Spectacle Prescription Report Storage',
  ],
  [
    'OphthalmicAxialMeasurementsStorage',
    '1.2.840.10008.5.1.4.1.1.78.7',
    'Ophthalmic Axial Measurements Storage',
  ],
  [
    'IntraocularLensCalculationsStorage',
    '1.2.840.10008.5.1.4.1.1.78.8',
    'Intraocular Lens Calculations Storage',
  ],
  [
    'MacularGridThicknessAndVolumeReportStorage',
    '1.2.840.10008.5.1.4.1.1.79.1',
    'Macular Grid Thickness And Volume Report Storage',
  ],
  [
    'OphthalmicVisualFieldStaticPerimetryMeasurementsStorage',
    '1.2.840.10008.5.1.4.1.1.80.1',
    'Ophthalmic Visual Field Static Perimetry Measurements Storage',
  ],
  ['OphthalmicThicknessMapStorage', '1.2.840.10008.5.1.4.1.1.81.1', 'Ophthalmic Thickness Map Storage'],
  ['CornealTopographyMapStorage', '1.2.840.10008.5.1.4.1.1.82.1', 'Corneal Topography Map Storage'],
  ['BasicTextSRStorage', '1.2.840.10008.5.1.4.1.1.88.11', 'Basic Text SR Storage'],
  ['EnhancedSRStorage', '1.2.840.10008.5.1.4.1.1.88.22', 'Enhanced SR Storage'],
  ['ComprehensiveSRStorage', '1.2.840.10008.5.1.4.1.1.88.33', 'Comprehensive SR Storage'],
  ['Comprehensive3D SRStorage', '1.2.840.10008.5.1.4.1.1.88.34', 'Comprehensive 3DSR Storage'],
  ['ExtensibleSRStorage', '1.2.840.10008.5.1.4.1.1.88.35', 'Extensible SR Storage'],
  ['ProcedureLogStorage', '1.2.840.10008.5.1.4.1.1.88.40', 'Procedure Log Storage'],
  ['MammographyCAD SRStorage', '1.2.840.10008.5.1.4.1.1.88.50', 'Mammography CADSR Storage'],
  [
    'KeyObjectSelectionDocumentStorage',
    '1.2.840.10008.5.1.4.1.1.88.59',
    'Key Object Selection Document Storage',
  ],
  ['ChestCAD SRStorage', '1.2.840.10008.5.1.4.1.1.88.65', 'Chest CADSR Storage'],
  ['XRayRadiationDoseSRStorage', '1.2.840.10008.5.1.4.1.1.88.67', 'X-Ray Radiation Dose SR Storage'],
  [
    'RadiopharmaceuticalRadiationDoseSRStorage',
    '1.2.840.10008.5.1.4.1.1.88.68',
    'Radiopharmaceutical Radiation Dose SR Storage',
  ],
  ['ColonCAD SRStorage', '1.2.840.10008.5.1.4.1.1.88.69', 'Colon CADSR Storage'],
  [
    'ImplantationPlanSRDocumentStorage',
    '1.2.840.10008.5.1.4.1.1.88.70',
    'Implantation Plan SR Document Storage',
  ],
  ['AcquisitionContextSRStorage', '1.2.840.10008.5.1.4.1.1.88.71', 'Acquisition Context SR Storage'],
  ['SimplifiedAdultEchoSRStorage', '1.2.840.10008.5.1.4.1.1.88.72', 'Simplified Adult Echo SR Storage'],
  ['PatientRadiationDoseSRStorage', '1.2.840.10008.5.1.4.1.1.88.73', 'Patient Radiation Dose SR Storage'],
  [
    'PlannedImagingAgentAdministrationSRStorage',
    '1.2.840.10008.5.1.4.1.1.88.74',
    'Planned Imaging Agent Administration SR Storage',
  ],
  [
    'PerformedImagingAgentAdministrationSRStorage',
    '1.2.840.10008.5.1.4.1.1.88.75',
    'Performed Imaging Agent Administration SR Storage',
  ],
  [
    'EnhancedXRayRadiationDoseSRStorage',
    '1.2.840.10008.5.1.4.1.1.88.76',
    'Enhanced X-Ray Radiation Dose SR Storage',
  ],
  ['TwelveLeadECGWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.1.1', '12-lead ECG Waveform Storage'],
  ['GeneralECGWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.1.2', 'General ECG Waveform Storage'],
  ['AmbulatoryECGWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.1.3', 'Ambulatory ECG Waveform Storage'],
  ['HemodynamicWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.2.1', 'Hemodynamic Waveform Storage'],
  [
    'CardiacElectrophysiologyWaveformStorage',
    '1.2.840.10008.5.1.4.1.1.9.3.1',
    'Cardiac Electrophysiology Waveform Storage',
  ],
  ['BasicVoiceAudioWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.4.1', 'Basic Voice Audio Waveform Storage'],
  ['GeneralAudioWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.4.2', 'General Audio Waveform Storage'],
  ['ArterialPulseWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.5.1', 'Arterial Pulse Waveform Storage'],
  ['RespiratoryWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.6.1', 'Respiratory Waveform Storage'],
  [
    'MultichannelRespiratoryWaveformStorage',
    '1.2.840.10008.5.1.4.1.1.9.6.2',
    'Multichannel Respiratory Waveform Storage',
  ],
  [
    'RoutineScalpElectroencephalogramWaveformStorage',
    '1.2.840.10008.5.1.4.1.1.9.7.1',
    'Routine Scalp Electroencephalogram Waveform Storage',
  ],
  ['ElectromyogramWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.7.2', 'Electromyogram Waveform Storage'],
  ['ElectrooculogramWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.7.3', 'Electrooculogram Waveform Storage'],
  [
    'SleepElectroencephalogramWaveformStorage',
    '1.2.840.10008.5.1.4.1.1.9.7.4',
    'Sleep Electroencephalogram Waveform Storage',
  ],
  ['BodyPositionWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.8.1', 'Body Position Waveform Storage'],
  ['ContentAssessmentResultsStorage', '1.2.840.10008.5.1.4.1.1.90.1', 'Content Assessment Results Storage'],
  [
    'MicroscopyBulkSimpleAnnotationsStorage',
    '1.2.840.10008.5.1.4.1.1.91.1',
    'Microscopy Bulk Simple Annotations Storage',
  ],
];

/** Non-storage SOP classes and meta SOP classes (PS3.4 Annexes A, C, F, H, J, K). */
const OTHER: readonly (readonly [string, string, string])[] = [
  ['Verification', '1.2.840.10008.1.1', 'Verification SOP Class'],
  ['StorageCommitmentPushModel', '1.2.840.10008.1.20.1', 'Storage Commitment Push Model'],
  [
    'PatientRootQueryRetrieveInformationModelFind',
    '1.2.840.10008.5.1.4.1.2.1.1',
    'Patient Root Query/Retrieve Information Model - FIND',
  ],
  [
    'PatientRootQueryRetrieveInformationModelMove',
    '1.2.840.10008.5.1.4.1.2.1.2',
    'Patient Root Query/Retrieve Information Model - MOVE',
  ],
  [
    'PatientRootQueryRetrieveInformationModelGet',
    '1.2.840.10008.5.1.4.1.2.1.3',
    'Patient Root Query/Retrieve Information Model - GET',
  ],
  [
    'StudyRootQueryRetrieveInformationModelFind',
    '1.2.840.10008.5.1.4.1.2.2.1',
    'Study Root Query/Retrieve Information Model - FIND',
  ],
  [
    'StudyRootQueryRetrieveInformationModelMove',
    '1.2.840.10008.5.1.4.1.2.2.2',
    'Study Root Query/Retrieve Information Model - MOVE',
  ],
  [
    'StudyRootQueryRetrieveInformationModelGet',
    '1.2.840.10008.5.1.4.1.2.2.3',
    'Study Root Query/Retrieve Information Model - GET',
  ],
  [
    'CompositeInstanceRootRetrieveMove',
    '1.2.840.10008.5.1.4.1.2.4.2',
    'Composite Instance Root Retrieve - MOVE',
  ],
  [
    'CompositeInstanceRootRetrieveGet',
    '1.2.840.10008.5.1.4.1.2.4.3',
    'Composite Instance Root Retrieve - GET',
  ],
  [
    'CompositeInstanceRetrieveWithoutBulkDataGet',
    '1.2.840.10008.5.1.4.1.2.5.3',
    'Composite Instance Retrieve Without Bulk Data - GET',
  ],
  [
    'ModalityWorklistInformationModelFind',
    '1.2.840.10008.5.1.4.31',
    'Modality Worklist Information Model - FIND',
  ],
  ['ModalityPerformedProcedureStep', '1.2.840.10008.3.1.2.3.3', 'Modality Performed Procedure Step'],
  [
    'ModalityPerformedProcedureStepRetrieve',
    '1.2.840.10008.3.1.2.3.4',
    'Modality Performed Procedure Step Retrieve',
  ],
  [
    'ModalityPerformedProcedureStepNotification',
    '1.2.840.10008.3.1.2.3.5',
    'Modality Performed Procedure Step Notification',
  ],
  ['BasicFilmSession', '1.2.840.10008.5.1.1.1', 'Basic Film Session'],
  ['BasicFilmBox', '1.2.840.10008.5.1.1.2', 'Basic Film Box'],
  ['BasicGrayscaleImageBox', '1.2.840.10008.5.1.1.4', 'Basic Grayscale Image Box'],
  ['BasicColorImageBox', '1.2.840.10008.5.1.1.4.1', 'Basic Color Image Box'],
  [
    'BasicGrayscalePrintManagementMeta',
    '1.2.840.10008.5.1.1.9',
    'Basic Grayscale Print Management Meta SOP Class',
  ],
  ['BasicColorPrintManagementMeta', '1.2.840.10008.5.1.1.18', 'Basic Color Print Management Meta SOP Class'],
  ['Printer', '1.2.840.10008.5.1.1.16', 'Printer'],
  ['PrinterConfigurationRetrieval', '1.2.840.10008.5.1.1.16.376', 'Printer Configuration Retrieval'],
  ['PresentationLUT', '1.2.840.10008.5.1.1.23', 'Presentation LUT'],
  ['UnifiedProcedureStepPush', '1.2.840.10008.5.1.4.34.6.1', 'Unified Procedure Step - Push'],
  ['UnifiedProcedureStepWatch', '1.2.840.10008.5.1.4.34.6.2', 'Unified Procedure Step - Watch'],
  ['UnifiedProcedureStepPull', '1.2.840.10008.5.1.4.34.6.3', 'Unified Procedure Step - Pull'],
  ['UnifiedProcedureStepEvent', '1.2.840.10008.5.1.4.34.6.4', 'Unified Procedure Step - Event'],
  ['UnifiedProcedureStepQuery', '1.2.840.10008.5.1.4.34.6.5', 'Unified Procedure Step - Query'],
  ['InstanceAvailabilityNotification', '1.2.840.10008.5.1.4.33', 'Instance Availability Notification'],
];

const table = <T extends readonly (readonly [string, string, string])[]>(rows: T) =>
  Object.freeze(Object.fromEntries(rows.map(([key, uid]) => [key, uid]))) as Readonly<Record<string, string>>;

/** Storage SOP class UIDs by PS3.6 keyword, e.g. `StorageSopClass['CTImageStorage']`. */
export const StorageSopClass = table(STORAGE);
/** Other SOP class UIDs by keyword. */
export const SopClass = table(OTHER);

/** The UIDs dicomtrail code refers to directly. */
export const VERIFICATION = '1.2.840.10008.1.1';
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
export const SECONDARY_CAPTURE_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';
export const ENCAPSULATED_PDF_STORAGE = '1.2.840.10008.5.1.4.1.1.104.1';
export const PATIENT_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.1.1';
export const PATIENT_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.1.2';
export const PATIENT_ROOT_GET = '1.2.840.10008.5.1.4.1.2.1.3';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
export const MODALITY_WORKLIST_FIND = '1.2.840.10008.5.1.4.31';
export const MPPS = '1.2.840.10008.3.1.2.3.3';
export const STORAGE_COMMITMENT_PUSH = '1.2.840.10008.1.20.1';
export const BASIC_GRAYSCALE_PRINT_MANAGEMENT_META = '1.2.840.10008.5.1.1.9';

const NAMES = new Map<string, string>([...STORAGE, ...OTHER].map(([, uid, name]) => [uid, name]));
const STORAGE_UIDS = new Set(STORAGE.map(([, uid]) => uid));

/** 'CT Image Storage' for '1.2.840.10008.5.1.4.1.1.2'; undefined for UIDs not in the tables. */
export function sopClassName(uid: string): string | undefined {
  return NAMES.get(uid);
}

/** True for a (non-retired) Storage SOP class of PS3.4 Annex B. */
export function isStorageSopClass(uid: string): boolean {
  return STORAGE_UIDS.has(uid);
}

/** Every known Storage SOP class UID (for an SCP that accepts all storage). */
export const STORAGE_SOP_CLASS_UIDS: readonly string[] = STORAGE.map(([, uid]) => uid);
