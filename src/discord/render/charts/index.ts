/** PNG charts for `/chart equity` and `/chart training`: answers in, PNG buffers out. */
export { renderEquityChart, equityChartImage } from './equityChart';
export { renderTrainingChart, trainingChartImage } from './trainingChart';
export { DEFAULT_HEIGHT, DEFAULT_WIDTH, THEME, type ChartImage, type ChartOptions, type PlotArea } from './chartCanvas';
export { CHART_FONT_FAMILY, ensureChartFonts } from './fonts';
